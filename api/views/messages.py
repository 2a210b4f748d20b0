"""消息: the account's site messages (decisions, reminders, digests), newest first, and reading them."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from api.caching import private
from api.inputs import LocalDateTime
from api.pagination import Cursor
from kepuri.http import absolute
from notifications import services

TAG = ["消息"]


class MessageOut(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField(help_text="消息类型，如 decision、reminder、digest")
    title = serializers.CharField()
    body = serializers.CharField()
    url = serializers.SerializerMethodField(help_text="相关页面的地址")
    created_at = LocalDateTime()
    read_at = LocalDateTime(allow_null=True)

    def get_url(self, message) -> str:
        return absolute(message.url) if message.url.startswith("/") else message.url


class UnreadOut(serializers.Serializer):
    unread = serializers.IntegerField()


class MessagesView(APIView):
    pagination_class = Cursor

    @extend_schema(tags=TAG, responses=MessageOut(many=True), summary="消息列表")
    def get(self, request):
        paginator = Cursor()
        paginator.ordering = ("-created_at", "-id")
        page = paginator.paginate_queryset(services.inbox(request.user), request, self)
        return private(paginator.get_paginated_response(MessageOut(page, many=True).data))


class UnreadView(APIView):
    @extend_schema(tags=TAG, responses=UnreadOut, summary="未读消息数")
    def get(self, request):
        return private(Response({"unread": services.unread_count(request.user)}))


class ReadView(APIView):
    @extend_schema(tags=TAG, request=None, responses={204: None}, summary="标记为已读")
    def post(self, request, pk):
        message = get_object_or_404(services.inbox(request.user), pk=pk)
        services.mark_read(request.user, message_id=message.pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ReadAllView(APIView):
    @extend_schema(tags=TAG, request=None, responses={204: None}, summary="全部标记为已读")
    def post(self, request):
        services.mark_read(request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

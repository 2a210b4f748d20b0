"""个人中心 and 单位管理 as data: the account, 修改密码, 更换手机号, 注销账号, 单位信息."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import services
from accounts.forms import AccountDeleteForm, PasswordChangeForm, PhoneChangeForm, SetPasswordForm
from api.caching import private
from api.errors import ApiError
from api.inputs import as_form_data, checked, shape
from api.serializers.accounts import (
    AccountDeleteRequest,
    Me,
    PasswordChangeRequest,
    PhoneChangeRequest,
    TokenPair,
    me,
)
from api.serializers.reference import OrganizationIn, OrganizationOut
from kepuri.http import client_ip
from organizations.forms import OrganizationForm
from organizations.services import organization_of, save_organization

from .auth import new_password_data, token_answer

TAG = ["个人中心"]


class MeView(APIView):
    """The signed-in account."""

    @extend_schema(tags=TAG, responses=Me, summary="当前账号")
    def get(self, request):
        return private(Response(me(request.user)))


class PasswordView(APIView):
    """修改密码: the current password and a new one. Every token ends; this client gets a new pair."""

    @extend_schema(tags=TAG, request=PasswordChangeRequest, responses=TokenPair, summary="修改密码")
    def post(self, request):
        values = shape(PasswordChangeRequest, request.data)
        if request.user.has_usable_password():
            form_class, data = (
                PasswordChangeForm,
                new_password_data(values, old_password=values["old_password"]),
            )
        else:  # 设置密码: proven by a code to the account's own number
            form_class, data = SetPasswordForm, new_password_data(values, code=values["code"])
        form = checked(form_class(request.user, as_form_data(data)), rename={"new_password1": "new_password"})
        form.save()  # the service: the password, and every token revoked
        return token_answer(request, request.user)


class PhoneView(APIView):
    """更换手机号: codes to the 原号码 and to the 新手机号码, and the password. Every token ends; this
    client gets a new pair; the old number is told by SMS."""

    error_codes = ("phone_taken", "code_invalid", "login_locked")

    @extend_schema(tags=TAG, request=PhoneChangeRequest, responses=TokenPair, summary="更换手机号")
    def post(self, request):
        values = shape(PhoneChangeRequest, request.data)
        form = _password_checked(
            PhoneChangeForm(as_form_data(values), user=request.user, ip=client_ip(request))
        )
        services.change_phone(user=request.user, old_code=form.old_sms_code, new_code=form.new_sms_code)
        return token_answer(request, request.user)


class DeleteAccountView(APIView):
    """注销账号: the password and that the user understood; cannot be undone. Reviewers and admins ask
    an admin instead."""

    error_codes = ("permission_denied", "login_locked")

    @extend_schema(tags=TAG, request=AccountDeleteRequest, responses={204: None}, summary="注销账号")
    def post(self, request):
        values = shape(AccountDeleteRequest, request.data)
        data = {"password": values["password"], **({"understood": "on"} if values["understood"] else {})}
        _password_checked(AccountDeleteForm(as_form_data(data), user=request.user, ip=client_ip(request)))
        services.delete_account(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _password_checked(form):
    """``form`` once valid. A wrong password is a 422 on ``password`` with the tries left, as on the
    site; the account's phone locked by the login limits (too many wrong passwords here or at 登录)
    is a 429 ``login_locked`` with ``retry_after``, as 登录's."""
    if not form.is_valid() and form.refusal is not None and form.refusal.code == "login_locked":
        raise form.refusal
    return checked(form)


class OrganizationView(APIView):
    """单位信息: read it, or fill it in / change it (修改单位填报信息); filling it makes an organiser."""

    error_codes = ("not_found",)  # GET before it is filled in

    @extend_schema(tags=TAG, responses=OrganizationOut, summary="单位信息")
    def get(self, request):
        organization = organization_of(request.user)
        if organization is None:
            raise ApiError("not_found", "尚未填写单位信息")
        return private(Response(_organization(organization)))

    @extend_schema(tags=TAG, request=OrganizationIn, responses=OrganizationOut, summary="填写或修改单位信息")
    def put(self, request):
        values = shape(OrganizationIn, request.data)
        form = checked(OrganizationForm(as_form_data(values), instance=organization_of(request.user)))
        organization = save_organization(owner=request.user, **form.cleaned_data)
        return private(Response(_organization(organization)))


def _organization(organization) -> dict:
    return {
        "name": organization.name,
        "contact_name": organization.contact_name,
        "contact_phone": organization.contact_phone,
        "address": organization.address,
        "description": organization.description,
        "updated_at": organization.updated_at,
    }

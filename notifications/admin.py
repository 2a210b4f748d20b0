from django.contrib import admin

from .models import Message


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("title", "recipient", "kind", "channel", "state", "created_at", "sent_at", "read_at")
    list_filter = ("channel", "state", "kind")
    search_fields = ("title", "recipient__phone", "key")
    list_select_related = ("recipient",)
    readonly_fields = [f.name for f in Message._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

from django.contrib import admin

from kepuri.admin_filters import timestamp_set_filter

from . import services
from .models import Comment

DeletedFilter = timestamp_set_filter("deleted_at", "是否已删除", set_label="已删除", unset_label="未删除")
HiddenFilter = timestamp_set_filter("hidden_at", "是否已隐藏", set_label="已隐藏", unset_label="未隐藏")


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    """Comments as written, deleted and hidden ones too; admins restore what an author deleted."""

    list_display = ("text", "activity", "author", "created_at", "deleted_at", "hidden_at")
    list_filter = (DeletedFilter, HiddenFilter)
    search_fields = ("text", "author__phone", "activity__name", "activity__public_code")
    list_select_related = ("activity", "author")
    date_hierarchy = "created_at"
    actions = ("restore",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # what a member wrote is theirs; moderators hide, authors delete

    def has_delete_permission(self, request, obj=None):
        return False  # deleted comments are kept, to be restored

    @admin.action(description="恢复所选已删除的评论")
    def restore(self, request, queryset):
        restored = sum(services.restore_comment(comment=comment) for comment in queryset)
        self.message_user(request, f"已恢复 {restored} 条评论。")

from django.conf import settings
from django.contrib import admin
from django.utils.module_loading import import_string


def has_admin_role(user) -> bool:
    """Whether ``user`` has something to do in the admin.

    后台登录 (``is_staff``) alone is not enough: an active staff account needs to be a
    superuser or to hold at least one permission, its own or through a group. Without
    one, Django's admin would show an empty front page; ours refuses with the reason
    (``kepuri.views.admin_login``).
    """
    if not (user.is_active and user.is_staff):
        return False
    return user.is_superuser or bool(user.get_all_permissions())


class ReadOnlyAdmin(admin.ModelAdmin):
    """A list admins read and never edit: records of what happened, reference data."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class KepuriAdminSite(admin.AdminSite):
    """The admin, for staff with a role, with the background tasks' health on its front page."""

    site_header = site_title = "云上科普日管理后台"
    index_title = "管理"

    def has_permission(self, request):
        return has_admin_role(request.user)

    def index(self, request, extra_context=None):
        health = import_string(settings.TASK_HEALTH)()
        return super().index(request, {**(extra_context or {}), "task_health": health})

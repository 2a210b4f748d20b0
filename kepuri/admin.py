from django.contrib import admin

from notifications.services import task_health


class KepuriAdminSite(admin.AdminSite):
    """The admin, with the background tasks' health on its front page."""

    site_header = site_title = "云上科普日管理后台"
    index_title = "管理"

    def index(self, request, extra_context=None):
        return super().index(request, {**(extra_context or {}), "task_health": task_health()})

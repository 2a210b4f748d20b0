from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class KepuriConfig(AppConfig):
    default = True
    name = "kepuri"
    verbose_name = "云上科普日"

    def ready(self):
        from . import checks  # noqa: F401  (registers the system checks)


class KepuriAdminConfig(admin_apps.AdminConfig):
    """The admin app with our site (INSTALLED_APPS names it instead of django.contrib.admin)."""

    default = False
    default_site = "kepuri.admin.KepuriAdminSite"

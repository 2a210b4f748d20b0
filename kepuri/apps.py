from django.apps import AppConfig


class KepuriConfig(AppConfig):
    name = "kepuri"
    verbose_name = "云上科普日"

    def ready(self):
        from . import checks  # noqa: F401  (registers the system checks)

from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "public"
    verbose_name = "公众互动"

    def ready(self):
        from . import signals  # noqa: F401

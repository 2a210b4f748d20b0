from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "客户端接口"

    def ready(self):
        from . import schema  # noqa: F401  (registers the authentication's schema extension)

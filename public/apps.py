from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "public"
    verbose_name = "公众互动"

    def ready(self):
        from accounts import personal_data

        from . import services, signals  # noqa: F401

        personal_data.register(self.name, erase=services.forget_author_pages)

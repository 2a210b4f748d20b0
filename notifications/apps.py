from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "消息"

    def ready(self):
        from accounts import personal_data

        from . import services

        personal_data.register(self.name, erase=services.erase_inbox)

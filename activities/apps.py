from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "activities"
    verbose_name = "活动"

    def ready(self):
        from notifications import kinds

        from . import checks, reminders  # noqa: F401 -- checks registers the QR font's deploy check

        kinds.register(decision="审核结果")
        kinds.register_daily(reminders="截止提醒")
        kinds.register(**{k.message_kind: f"{k.window.label}截止提醒" for k in reminders.KINDS.values()})

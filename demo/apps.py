from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data for the local run; it sits on top of every other app."""

    name = "demo"
    verbose_name = "演示数据"

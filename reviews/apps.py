from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "审核"

    def ready(self):
        from notifications import kinds

        kinds.register(extension="延期通知", review_digest="待审核汇总")

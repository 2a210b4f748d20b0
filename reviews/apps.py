from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "审核"

    def ready(self):
        from accounts import personal_data
        from notifications import kinds

        from . import services, signals  # noqa: F401 -- signals connect on import

        kinds.register(extension="延期通知", review_digest="待审核汇总")
        kinds.register_daily(review_digests="待审核汇总")
        personal_data.register(
            self.name, refusal=services.account_deletion_refusal, erase=services.erase_exports
        )

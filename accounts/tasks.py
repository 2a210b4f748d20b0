from celery import shared_task

from . import services


@shared_task
def purge_expired_sms_codes() -> int:
    """Housekeeping on beat: drop verification codes that expired a day ago."""
    return services.purge_expired_sms_codes()

from celery import shared_task

from . import services, tokens


@shared_task
def purge_expired_sms_codes() -> int:
    """Housekeeping on beat: drop verification codes that expired a day ago."""
    return services.purge_expired_sms_codes()


@shared_task
def purge_expired_api_tokens() -> int:
    """Housekeeping on beat: drop API tokens that expired or were revoked a day ago."""
    return tokens.purge_expired()

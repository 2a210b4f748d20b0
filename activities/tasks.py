from celery import shared_task

from . import services


@shared_task
def purge_staged_posters() -> int:
    """Housekeeping on beat: posters kept for a form that was never sent again."""
    return services.purge_staged_posters()

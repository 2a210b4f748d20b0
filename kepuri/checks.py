"""Deployment checks of the platform, run by ``manage.py check --deploy`` (each app registers its own)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def shared_state_check(app_configs, **kwargs):
    """Several app servers must share the rate limits and the cache through Redis."""
    if settings.RATELIMIT_STORAGE_URI.startswith("memory://"):
        return [
            Warning(
                "Rate limits are counted in process memory.",
                hint="Set REDIS_URL so that every app server shares one count.",
                id="kepuri.W001",
            )
        ]
    return []

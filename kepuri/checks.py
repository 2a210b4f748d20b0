"""Deployment checks of our own, run by ``manage.py check --deploy``."""

from django.conf import settings
from django.core.checks import Tags, Warning, register

from activities import qr


@register(deploy=True)
def qr_font_check(app_configs, **kwargs):
    """The QR code's caption (activity name, campaign label) needs a font with Chinese characters."""
    if qr.font_file() is None:
        return [
            Warning(
                "No CJK font found for the captions of activity QR codes.",
                hint="Install fonts-noto-cjk (Debian/Ubuntu) or set QR_FONT_PATH to a TTF/OTF/TTC file.",
                id="kepuri.W002",
            )
        ]
    return []


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

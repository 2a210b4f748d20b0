"""Deployment checks of the activities, run by ``manage.py check --deploy``."""

from django.core.checks import Warning, register

from . import qr


@register(deploy=True)
def qr_font_check(app_configs, **kwargs):
    """The QR code's caption (activity name, campaign label) needs a font with Chinese characters."""
    if qr.font_file() is None:
        return [
            Warning(
                "No CJK font found for the captions of activity QR codes.",
                hint="Install fonts-noto-cjk (Debian/Ubuntu) or set QR_FONT_PATH to a TTF/OTF/TTC file.",
                id="kepuri.W002",  # its id from before it moved here: SILENCED_SYSTEM_CHECKS still hold
            )
        ]
    return []

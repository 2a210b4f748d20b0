"""The activity's QR code (SPEC §5 step 4): its public page's absolute URL, for print and for screens.

PNG: at least 1000 px wide, error correction Q (above the M that print asks
for), the 4-module quiet zone, captioned with the activity's name and the
campaign label. SVG: the same code as vector paths, with the caption as text.
The caption needs a CJK font: ``QR_FONT_PATH``, or the first of the usual
system fonts that exists (Debian: ``apt-get install fonts-noto-cjk``). Without
one the PNG carries the code alone, a warning is logged, and
``check --deploy`` reports it (kepuri.W002). The share poster (``share_poster``) draws the same
code, in the same font, from the pieces here (``public_url``, ``code_image``, ``font``, ``wrap``).
"""

import hashlib
import io
import logging
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

import qrcode
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from PIL import Image, ImageDraw, ImageFont

from .models import Activity

logger = logging.getLogger(__name__)

QUIET_ZONE = 4
MIN_WIDTH = 1000
ERROR_CORRECTION = qrcode.constants.ERROR_CORRECT_Q
FONT_CANDIDATES = [
    # (path, index in a collection: Noto Sans CJK's Simplified Chinese face is the third)
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Medium.ttc", 2),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", 0),
    ("/System/Library/Fonts/PingFang.ttc", 0),
]


CACHE_SECONDS = 7 * 24 * 3600


def fingerprint(activity: Activity) -> str:
    """What the images show: the same fingerprint, the same images."""
    shown = "\n".join([public_url(activity), activity.name, activity.campaign.label, repr(font_file())])
    return hashlib.sha256(shown.encode()).hexdigest()[:32]


def image(activity: Activity, kind: str) -> bytes:
    """The PNG or the SVG, drawn once and then kept in the cache until what it shows changes."""
    key = f"qr:{kind}:{fingerprint(activity)}"
    content = cache.get(key)
    if content is None:
        content = png(activity) if kind == "png" else svg(activity)
        cache.set(key, content, CACHE_SECONDS)
    return content


def public_url(activity: Activity) -> str:
    """The absolute URL the QR code opens: ``SITE_URL`` and the activity's short public path."""
    return settings.SITE_URL.rstrip("/") + reverse("public:activity", args=[activity.public_code])


@lru_cache(maxsize=1)
def font_file() -> tuple[str, int] | None:
    """The CJK font for captions: ``QR_FONT_PATH``, or the first usual system font found, or None."""
    if settings.QR_FONT_PATH:
        return settings.QR_FONT_PATH, settings.QR_FONT_INDEX
    for path, index in FONT_CANDIDATES:
        if Path(path).exists():
            return path, index
    return None


def bold_font_file() -> tuple[str, int] | None:
    """The bold face beside the caption font (Noto's ``-Bold`` sibling), else the caption font itself."""
    found = font_file()
    if found is None:
        return None
    path, index = Path(found[0]), found[1]
    for weight in ("-Regular", "-Medium"):
        bold = path.with_name(path.name.replace(weight, "-Bold"))
        if weight in path.name and bold.exists():
            return str(bold), index
    return found


def font(size: int, *, bold: bool = False) -> ImageFont.FreeTypeFont:
    """The caption font (or its bold face) at ``size`` px; only once ``font_file()`` found one."""
    path, index = bold_font_file() if bold else font_file()
    return ImageFont.truetype(path, size=size, index=index)


def _matrix(activity: Activity) -> list[list[bool]]:
    code = qrcode.QRCode(error_correction=ERROR_CORRECTION, border=QUIET_ZONE)
    code.add_data(public_url(activity))
    code.make(fit=True)
    return code.get_matrix()  # includes the quiet zone


def code_image(activity: Activity, *, side: int) -> Image.Image:
    """The code alone with its quiet zone, black on white (mode L), in whole pixels a module: as wide
    as fits in ``side``."""
    matrix = _matrix(activity)
    box = max(1, side // len(matrix))
    return _draw_code(Image.new("L", (len(matrix) * box,) * 2, 255), matrix, box)


MAX_NAME_LINES = 3


def wrap(text: str, fits, *, max_lines: int = MAX_NAME_LINES) -> list[str]:
    """Break ``text`` into lines that ``fits`` accepts, character by character (Chinese has no spaces);
    past ``max_lines`` the last line ends in an ellipsis that fits too."""
    lines, line = [], ""
    for char in text:
        if line and not fits(line + char):
            lines.append(line)
            line = char.lstrip()
        else:
            line += char
    if line:
        lines.append(line)
    if len(lines) > max_lines:
        lines, last = lines[:max_lines], lines[max_lines - 1]
        while last and not fits(last + "…"):
            last = last[:-1]
        lines[-1] = last.rstrip() + "…"
    return lines or [""]


def caption_lines(activity: Activity, fits=None) -> list[str]:
    """The activity's name, wrapped, then the campaign label."""
    return [*wrap(activity.name, fits or (lambda line: len(line) <= 16)), activity.campaign.label]


def png(activity: Activity) -> bytes:
    matrix = _matrix(activity)
    modules = len(matrix)
    box = -(-MIN_WIDTH // modules)  # ceil: the code alone is at least MIN_WIDTH wide
    side = modules * box
    if font_file() is None:
        logger.warning("No CJK font: the QR code of %s is printed without its caption", activity.public_code)
        return png_bytes(_draw_code(Image.new("L", (side, side), 255), matrix, box))
    name_font, label_font = font(box * 2 + 24), font(box + 22)
    usable = side - 2 * QUIET_ZONE * box
    lines = caption_lines(activity, lambda line: name_font.getlength(line) <= usable)
    line_height = int(name_font.size * 1.35)
    caption_height = line_height * (len(lines) - 1) + int(label_font.size * 1.6) + box * QUIET_ZONE // 2
    image = _draw_code(Image.new("L", (side, side + caption_height), 255), matrix, box)
    draw = ImageDraw.Draw(image)
    y = side - box * QUIET_ZONE // 2
    for line in lines[:-1]:
        draw.text((side // 2, y), line, font=name_font, fill=0, anchor="ma")
        y += line_height
    draw.text((side // 2, y + box // 2), lines[-1], font=label_font, fill=80, anchor="ma")
    return png_bytes(image)


def _draw_code(image: Image.Image, matrix, box: int) -> Image.Image:
    draw = ImageDraw.Draw(image)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                draw.rectangle([x * box, y * box, (x + 1) * box - 1, (y + 1) * box - 1], fill=0)
    return image


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def svg(activity: Activity) -> bytes:
    matrix = _matrix(activity)
    modules = len(matrix)
    name_size = 2.2
    lines = caption_lines(activity, lambda line: len(line) * name_size <= modules - 2 * QUIET_ZONE)
    height = modules + 3 * len(lines) + 2
    path = "".join(f"M{x},{y}h1v1h-1z" for y, row in enumerate(matrix) for x, dark in enumerate(row) if dark)
    texts = []
    y = modules + 1.5
    for i, line in enumerate(lines):
        size, colour = (name_size, "#000") if i < len(lines) - 1 else (1.6, "#505050")
        texts.append(
            f'<text x="{modules / 2}" y="{y:.1f}" font-size="{size}" fill="{colour}" text-anchor="middle" '
            f'font-family="Noto Sans CJK SC, PingFang SC, Microsoft YaHei, sans-serif">{escape(line)}</text>'
        )
        y += 3
    document = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {modules} {height}" width="{modules * 10}" '
        f'height="{height * 10}" shape-rendering="crispEdges">'
        f'<rect width="{modules}" height="{height}" fill="#fff"/><path d="{path}" fill="#000"/>'
        + "".join(texts)
        + "</svg>\n"
    )
    return document.encode()

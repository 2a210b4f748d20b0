"""The share poster (分享海报, issue 20): a portrait PNG, 1080×1920, that a phone saves or sends on.

Top to bottom it shows the organiser's 宣传图, the campaign label (2020年全国科普日活动), the
activity's name (wrapped as the font measures it, three lines at most, then …), its time and
place, and a card with the QR code of its public page — the same address and the same error
correction (Q) as the activity's QR code (``activities.qr``) — beside 长按识别二维码.

- The picture is the poster's page rendition (``poster_page``, else the original), shown whole
  over a blurred copy of itself where its shape leaves room. An activity without one, or whose
  file cannot be read, gets a plain panel in the site's colours with the campaign's name.
- Text is drawn in the QR code's CJK font (``qr.font_file``; its bold face for the name). Without
  one the poster carries the picture and the code alone, and a warning is logged, as the QR
  code does.
- Cached like the QR code: drawn once and kept in the cache under a fingerprint of what it shows
  (URL, name, time, place, label, the campaign's name, the picture's file name, the font, and
  the layout's version), which the view also sends as its ETag. A change of any of them makes
  another fingerprint, so another poster; the old one ages out of the cache. A poster drawn
  without the picture it names (the storage did not answer) is kept a few minutes only.
"""

import hashlib
import logging
from dataclasses import dataclass

from django.core.cache import cache
from PIL import Image, ImageDraw, ImageFilter, ImageFont, ImageOps

from . import qr
from .models import Activity

logger = logging.getLogger(__name__)

WIDTH, HEIGHT = 1080, 1920
LAYOUT_VERSION = "1"  # bump when the drawing changes: every poster is then drawn again
CACHE_SECONDS = qr.CACHE_SECONDS
RETRY_SECONDS = 300  # a poster drawn without its picture, until the storage answers again

# The site's colours (static/css/site.css) and the text's.
PRIMARY = (10, 88, 202)
PRIMARY_DARK = (8, 61, 143)
ACCENT = (28, 155, 214)
INK = (33, 37, 41)
MUTED = (98, 108, 120)
CARD = (236, 242, 250)
PAPER = (255, 255, 255)

MARGIN = 72
TEXT_WIDTH = WIDTH - 2 * MARGIN
GAP = 48  # at least, between the picture, the text and the card
BAND_HEIGHT = (640, 960)  # the picture's band (or the plain panel): at least, at most
CARD_HEIGHT, QR_SIDE = 360, 296
FOOTER_HEIGHT = 96
NAME_LINES, FACT_LINES = 3, 2
FACT_INDENT = 100  # the value of 时间 and 地点, right of the word


# --- what it shows ------------------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    """What the poster shows, as text: its fingerprint and its drawing read the same."""

    url: str
    name: str
    time: str
    place: str
    label: str
    campaign: str
    picture: str  # the picture's file name in storage; "" for none
    font: tuple[str, int] | None

    def fingerprint(self) -> str:
        fields = [LAYOUT_VERSION, self.url, self.name, self.time, self.place, self.label, self.campaign]
        shown = "\n".join([*fields, self.picture, repr(self.font)])
        return hashlib.sha256(shown.encode()).hexdigest()[:32]


def shown(activity: Activity) -> Shown:
    picture = activity.poster_page or activity.poster
    return Shown(
        url=qr.public_url(activity),
        name=activity.name,
        time=activity.time_display,
        place=place(activity),
        label=activity.campaign.label,
        campaign=activity.campaign.name,
        picture=picture.name if picture else "",
        font=qr.font_file(),
    )


def place(activity: Activity) -> str:
    """活动地点 in a line: the region, then the address, without naming the province or city twice."""
    region = activity.region
    province = region.province.name if region else ""
    city = region.name if region and region.parent_id else ""
    address = activity.address.strip() or ("线上活动" if activity.is_online else "")
    if province and address.startswith(province):
        return address
    if city and address.startswith(city):
        return province + address
    return " ".join(part for part in (province + city, address) if part)


def fingerprint(activity: Activity) -> str:
    """What the poster shows: the same fingerprint, the same poster."""
    return shown(activity).fingerprint()


def image(activity: Activity) -> bytes:
    """The PNG, drawn once and then kept in the cache until what it shows changes."""
    key = f"share-poster:{fingerprint(activity)}"
    content = cache.get(key)
    if content is None:
        content, whole = draw(activity)
        cache.set(key, content, CACHE_SECONDS if whole else RETRY_SECONDS)
    return content


# --- drawing ------------------------------------------------------------------------


@dataclass(frozen=True)
class Fonts:
    label: ImageFont.FreeTypeFont
    name: ImageFont.FreeTypeFont
    fact_word: ImageFont.FreeTypeFont
    fact: ImageFont.FreeTypeFont
    call: ImageFont.FreeTypeFont
    hint: ImageFont.FreeTypeFont
    title: ImageFont.FreeTypeFont
    subtitle: ImageFont.FreeTypeFont

    @classmethod
    def load(cls) -> "Fonts":
        return cls(
            label=qr.font(32),
            name=qr.font(62, bold=True),
            fact_word=qr.font(32),
            fact=qr.font(36),
            call=qr.font(44, bold=True),
            hint=qr.font(30),
            title=qr.font(80, bold=True),
            subtitle=qr.font(36),
        )


def draw(activity: Activity) -> tuple[bytes, bool]:
    """The poster's PNG, and whether it holds the picture it names (False: drawn without it)."""
    what = shown(activity)
    picture = _open_picture(activity)
    fonts = Fonts.load() if what.font else None
    if fonts is None:
        logger.warning("No CJK font: the share poster of %s is drawn without its text", activity.public_code)
    card_top = HEIGHT - FOOTER_HEIGHT - CARD_HEIGHT
    text_height = _text(None, what, fonts, top=0) if fonts else 0
    room = card_top - 2 * GAP - text_height
    height = max(BAND_HEIGHT[0], min(BAND_HEIGHT[1], room))
    band = _picture_band(picture, height) if picture else _plain_band(what, fonts, height)
    canvas = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    canvas.paste(band, (0, 0))
    pen = ImageDraw.Draw(canvas)
    if fonts:
        _text(pen, what, fonts, top=band.height + (card_top - band.height - text_height) // 2)
        _footer(pen, fonts)
    _card(canvas, activity, fonts, top=card_top)
    return qr.png_bytes(canvas), picture is not None or not what.picture


def _open_picture(activity: Activity) -> Image.Image | None:
    stored = activity.poster_page or activity.poster
    if not stored:
        return None
    try:
        with stored.open("rb") as file:
            picture = Image.open(file)
            picture.load()
    except Exception:  # the storage's own errors: a missing file, a bucket that does not answer
        code, name = activity.public_code, stored.name
        logger.warning("The share poster of %s is drawn without its picture %s", code, name, exc_info=True)
        return None
    return picture.convert("RGB")


def _picture_band(picture: Image.Image, height: int) -> Image.Image:
    """The picture whole, centred on a blurred, darkened copy of itself that fills the band."""
    small = ImageOps.fit(picture, (WIDTH // 16, height // 16), Image.Resampling.BILINEAR)
    backdrop = small.filter(ImageFilter.GaussianBlur(4)).resize((WIDTH, height), Image.Resampling.BICUBIC)
    backdrop = Image.blend(backdrop, _filled(backdrop.size, INK), 0.25)
    front = ImageOps.contain(picture, (WIDTH, height), Image.Resampling.LANCZOS)
    backdrop.paste(front, ((WIDTH - front.width) // 2, (height - front.height) // 2))
    return backdrop


def _plain_band(what: Shown, fonts: Fonts | None, height: int) -> Image.Image:
    """No picture: the site's blue, light to the lower right, a few soft rings, the campaign's name."""
    down = Image.linear_gradient("L")  # dark at the top, light at the bottom
    across = down.transpose(Image.Transpose.ROTATE_90)  # dark at the left, light at the right
    mask = Image.blend(down, across, 0.5).resize((WIDTH, height), Image.Resampling.BICUBIC)
    band = Image.composite(_filled(mask.size, ACCENT), _filled(mask.size, PRIMARY_DARK), mask)
    rings = Image.new("L", band.size, 0)
    pen = ImageDraw.Draw(rings)
    for cx, cy, r in ((0.92, 0.12, 0.34), (0.08, 0.95, 0.26), (0.80, 0.90, 0.12)):
        x, y, radius = cx * WIDTH, cy * height, r * WIDTH
        pen.ellipse([x - radius, y - radius, x + radius, y + radius], outline=40, width=28)
    band.paste(_filled(band.size, PAPER), (0, 0), rings)
    if fonts:
        pen = ImageDraw.Draw(band)
        lines = qr.wrap(what.campaign, _fits(fonts.title, TEXT_WIDTH), max_lines=2)
        step = int(fonts.title.size * 1.3)
        y = height // 2 - step * len(lines) // 2
        for line in lines:
            pen.text((WIDTH // 2, y), line, font=fonts.title, fill=PAPER, anchor="ma")
            y += step
        pen.text((WIDTH // 2, y + 24), "云上科普日", font=fonts.subtitle, fill=(214, 230, 250), anchor="ma")
    return band


def _filled(size: tuple[int, int], colour: tuple[int, int, int]) -> Image.Image:
    return Image.new("RGB", size, colour)


def _fits(font: ImageFont.FreeTypeFont, width: int):
    return lambda line: font.getlength(line) <= width


def name_lines(name: str, fonts: Fonts) -> list[str]:
    """The name as the poster breaks it: lines no wider than the text, three at most, then …"""
    return qr.wrap(name, _fits(fonts.name, TEXT_WIDTH), max_lines=NAME_LINES)


def _text(pen: ImageDraw.ImageDraw | None, what: Shown, fonts: Fonts, *, top: int) -> int:
    """The label, the name, the time and the place from ``top`` down; returns their height.
    With ``pen`` None it only measures."""
    y, padding = top, 26
    label = qr.wrap(what.label, _fits(fonts.label, TEXT_WIDTH - 2 * padding), max_lines=1)[0]
    if pen:
        pill = (MARGIN, y, MARGIN + int(fonts.label.getlength(label)) + 2 * padding, y + 56)
        pen.rounded_rectangle(pill, radius=28, fill=PRIMARY)
        pen.text((MARGIN + padding, y + 28), label, font=fonts.label, fill=PAPER, anchor="lm")
    y += 56 + 30
    for line in name_lines(what.name, fonts):
        if pen:
            pen.text((MARGIN, y), line, font=fonts.name, fill=INK)
        y += 86
    y += 20
    if pen:
        pen.rectangle([MARGIN, y, MARGIN + 72, y + 5], fill=PRIMARY)
    y += 5 + 32
    width = TEXT_WIDTH - FACT_INDENT
    for word, value in (("时间", what.time), ("地点", what.place)):
        if not value:
            continue
        if pen:
            pen.text((MARGIN, y + 40), word, font=fonts.fact_word, fill=MUTED, anchor="ls")
        for line in qr.wrap(value, _fits(fonts.fact, width), max_lines=FACT_LINES):
            if pen:
                pen.text((MARGIN + FACT_INDENT, y + 40), line, font=fonts.fact, fill=INK, anchor="ls")
            y += 54
        y += 14
    return y - 14 - top


def _card(canvas: Image.Image, activity: Activity, fonts: Fonts | None, *, top: int) -> None:
    """The QR code of the activity's page on a light card, 长按识别二维码 beside it."""
    pen = ImageDraw.Draw(canvas)
    pen.rounded_rectangle([MARGIN, top, WIDTH - MARGIN, top + CARD_HEIGHT], radius=32, fill=CARD)
    code = qr.code_image(activity, side=QR_SIDE).convert("RGB")
    x = MARGIN + 44 if fonts else (WIDTH - code.width) // 2
    y = top + (CARD_HEIGHT - code.height) // 2
    pen.rounded_rectangle([x - 12, y - 12, x + code.width + 12, y + code.height + 12], radius=20, fill=PAPER)
    canvas.paste(code, (x, y))
    if fonts:
        left, middle = x + code.width + 56, top + CARD_HEIGHT // 2
        pen.text((left, middle - 30), "长按识别二维码", font=fonts.call, fill=INK, anchor="ls")
        pen.text((left, middle + 22), "进入活动页面", font=fonts.hint, fill=MUTED, anchor="ls")
        pen.text((left, middle + 66), "打卡 · 点赞 · 评论", font=fonts.hint, fill=MUTED, anchor="ls")


def _footer(pen: ImageDraw.ImageDraw, fonts: Fonts) -> None:
    y, text = HEIGHT - FOOTER_HEIGHT // 2, "云上科普日"
    half = fonts.hint.getlength(text) / 2 + 24
    pen.text((WIDTH // 2, y), text, font=fonts.hint, fill=MUTED, anchor="mm")
    for x0, x1 in ((WIDTH // 2 - half - 64, WIDTH // 2 - half), (WIDTH // 2 + half, WIDTH // 2 + half + 64)):
        pen.line([(x0, y), (x1, y)], fill=(200, 208, 218), width=2)

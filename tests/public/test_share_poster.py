"""分享海报 (issue 20): the portrait PNG of a public activity, read back by a decoder we did not write
(zxing-cpp), cached by what it shows, and refused for every activity whose page is not public."""

import io
import logging
from datetime import datetime

import pytest
import zxingcpp
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from activities import qr, share_poster
from activities.forms import POSTER_MAX_BYTES, POSTER_RENDITIONS
from activities.services import POSTER_FIELDS
from kepuri.uploads import process_image
from tests.factories import make_activity
from tests.support import SHANGHAI

pytestmark = pytest.mark.django_db

RED = (200, 30, 40)
LONG_NAME = (
    "“科技筑梦·创新未来”——2020年保定市青少年人工智能与机器人科普体验周暨科学家精神进校园系列活动"
    "（第一场：走进保定市科学技术馆新馆，与院士专家面对面）"
)


@pytest.fixture(autouse=True)
def cjk_font():
    assert qr.font_file(), (
        "The poster needs a CJK font: apt-get install fonts-noto-cjk (scripts/test.sh does)"
    )


@pytest.fixture
def site(settings):
    settings.SITE_URL = "https://kepuri.example.org"


@pytest.fixture
def activity(site, approved):
    return with_picture(approved)


def with_picture(activity, colour=RED, size=(1200, 750)):
    """The activity with a 宣传图 stored as the wizard stores one: re-encoded, with its renditions."""
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    upload = SimpleUploadedFile("宣传图.png", buffer.getvalue(), content_type="image/png")
    processed = process_image(upload, max_bytes=POSTER_MAX_BYTES, renditions=POSTER_RENDITIONS)
    for key, field in POSTER_FIELDS.items():
        getattr(activity, field).save(processed.files[key].name, processed.files[key], save=False)
    activity.save()
    return activity


def poster_url(activity) -> str:
    return f"/a/{activity.public_code}/poster.png"


def opened(response) -> Image.Image:
    assert response.status_code == 200
    return Image.open(io.BytesIO(response.content)).convert("RGB")


def decoded(image) -> list[str]:
    return [result.text for result in zxingcpp.read_barcodes(image)]


def band_bottom(image) -> int:
    """Where the picture's band ends: the first white pixel down its left edge."""
    return next(y for y in range(image.height) if image.getpixel((2, y)) == share_poster.PAPER)


CARD_TOP = share_poster.HEIGHT - share_poster.FOOTER_HEIGHT - share_poster.CARD_HEIGHT


# --- what it is --------------------------------------------------------------------------


def test_a_phone_portrait_whose_code_opens_the_activity(client, activity):
    response = client.get(poster_url(activity))
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == f'inline; filename="{activity.public_code}-poster.png"'
    # Opened on its own, in the browser's image viewer: nothing may load or run there.
    assert response["Content-Security-Policy"] == "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    assert response["X-Content-Type-Options"] == "nosniff"
    image = opened(response)
    assert image.size == (1080, 1920)
    results = zxingcpp.read_barcodes(image)
    assert [r.text for r in results] == [f"https://kepuri.example.org/a/{activity.public_code}/"]
    assert results[0].format == zxingcpp.BarcodeFormat.QRCode
    assert results[0].ec_level == "Q"
    assert image.getpixel((540, 320)) == pytest.approx(RED, abs=12)  # the 宣传图, at the top
    text = image.crop((0, band_bottom(image), 1080, CARD_TOP))
    assert text.convert("L").getextrema()[0] < 80  # dark text under it


def test_its_place_names_the_province_and_city_once(organiser):
    activity = make_activity(organiser, status="approved")
    assert share_poster.place(activity) == "河北省保定市竞秀区示范社区"  # address 保定市竞秀区示范社区
    activity.address = "竞秀区示范社区"
    assert share_poster.place(activity) == "河北省保定市 竞秀区示范社区"
    activity.address = "河北省保定市竞秀区示范社区"
    assert share_poster.place(activity) == "河北省保定市竞秀区示范社区"
    activity.address, activity.activity_type = "", "online"
    assert share_poster.place(activity) == "河北省保定市 线上活动"


@pytest.mark.parametrize(
    "make",
    [
        lambda owner: make_activity(owner, status="draft"),
        lambda owner: make_activity(owner, status="pending"),
        lambda owner: make_activity(owner, status="rejected"),
        lambda owner: make_activity(
            owner, status="approved", deleted_at=datetime(2020, 9, 1, tzinfo=SHANGHAI)
        ),
    ],
    ids=["draft", "pending", "rejected", "deleted"],
)
def test_only_a_public_page_has_a_poster(client, organiser, make):
    activity = make(organiser)
    assert client.get(poster_url(activity)).status_code == 404
    client.force_login(organiser)  # not its organiser either: a poster is for sharing the public page
    assert client.get(poster_url(activity)).status_code == 404


def test_an_unknown_code_is_404(client):
    assert client.get("/a/zzzzzzzz/poster.png").status_code == 404


def test_an_activity_not_listed_still_has_its_poster(client, organiser):
    hidden = make_activity(organiser, status="approved", is_public=False)  # 展示 = 否: reachable, not listed
    assert opened(client.get(poster_url(hidden))).size == (1080, 1920)


def test_the_page_and_its_organiser_offer_it(client, organiser, activity):
    assert f'href="{poster_url(activity)}"' in client.get(f"/a/{activity.public_code}/").content.decode()
    client.force_login(organiser)
    step = client.get(f"/activities/{activity.public_code}/qrcode/").content.decode()
    assert (
        f'<a class="btn btn-outline-primary" href="{poster_url(activity)}" download>下载分享海报</a>' in step
    )
    pending = make_activity(organiser, status="pending")
    assert "下载分享海报" not in client.get(f"/activities/{pending.public_code}/qrcode/").content.decode()


# --- cached by what it shows -------------------------------------------------------------


def test_an_etag_of_what_it_shows_and_304(client, activity):
    first = client.get(poster_url(activity))
    assert first["ETag"] == f'"{share_poster.fingerprint(activity)}"'
    assert "public" in first["Cache-Control"] and "max-age=3600" in first["Cache-Control"]
    again = client.get(poster_url(activity), HTTP_IF_NONE_MATCH=first["ETag"])
    assert (again.status_code, again.content, again["ETag"]) == (304, b"", first["ETag"])
    assert client.head(poster_url(activity)).status_code == 200


def test_drawn_once_and_again_when_the_name_changes(client, activity, monkeypatch, django_assert_num_queries):
    drawn = []
    real_draw = share_poster.draw
    monkeypatch.setattr(
        share_poster, "draw", lambda a: drawn.append(a.name) or real_draw(a)
    )  # counts the work
    with django_assert_num_queries(1):  # the activity with its campaign and region
        first = client.get(poster_url(activity))
    with django_assert_num_queries(1):
        second = client.get(poster_url(activity))
    assert second.content == first.content and drawn == ["节水科普进社区"]
    activity.name = "节水科普进校园"
    activity.save()
    third = client.get(poster_url(activity))
    assert third["ETag"] != first["ETag"] and drawn == ["节水科普进社区", "节水科普进校园"]
    assert decoded(opened(third)) == [f"https://kepuri.example.org/a/{activity.public_code}/"]


def test_the_fingerprint_follows_what_is_shown_and_nothing_else(activity):
    def after(change):
        change(activity)
        return share_poster.fingerprint(activity)

    before = share_poster.fingerprint(activity)
    changed = [
        after(lambda a: setattr(a, "name", "节水科普进校园")),
        after(lambda a: setattr(a, "starts_at", datetime(2020, 9, 15, 8, 30, tzinfo=SHANGHAI))),
        after(lambda a: setattr(a, "address", "竞秀区另一个社区")),
        after(lambda a: setattr(a.campaign, "label", "2020年全国科普日活动（线上）")),
        after(lambda a: setattr(a, "poster_page", "activities/other/new-page.jpg")),
    ]
    assert len({before, *changed}) == 6
    activity.description = "另一段简介"  # not on the poster
    assert share_poster.fingerprint(activity) == changed[-1]


# --- drawn for every activity ------------------------------------------------------------


def test_without_a_picture_a_plain_panel(client, site, organiser):
    activity = make_activity(organiser, status="approved", poster="", poster_list="", poster_page="")
    image = opened(client.get(poster_url(activity)))
    assert image.size == (1080, 1920)
    assert decoded(image) == [f"https://kepuri.example.org/a/{activity.public_code}/"]
    red, green, blue = image.getpixel((20, 20))
    assert blue > red + 100 and blue > green  # the site's blue
    assert share_poster.draw(activity)[1] is True  # nothing missing: kept as long as any poster


def test_a_picture_the_storage_does_not_have_is_drawn_without_and_kept_briefly(site, organiser, caplog):
    activity = make_activity(
        organiser, status="approved"
    )  # names activities/test/poster-page.jpg, never stored
    with caplog.at_level(logging.WARNING, logger="activities.share_poster"):
        content, whole = share_poster.draw(activity)
    assert whole is False  # share_poster.image keeps it RETRY_SECONDS, not a week
    assert "drawn without its picture activities/test/poster-page.jpg" in caplog.text
    image = Image.open(io.BytesIO(content)).convert("RGB")
    assert image.size == (1080, 1920) and decoded(image)


def test_a_long_name_wraps_within_the_margins_and_ends_in_an_ellipsis(client, site, organiser):
    activity = with_picture(
        make_activity(
            organiser,
            status="approved",
            name=LONG_NAME,
            ends_at=datetime(2020, 9, 25, 17, 30, tzinfo=SHANGHAI),
            address="保定市竞秀区七一中路与朝阳大街交叉口东北角保定市科学技术馆新馆三楼多功能报告厅及室外广场",
        ),
        size=(900, 1280),  # a portrait 宣传图
    )
    lines = share_poster.name_lines(activity.name, share_poster.Fonts.load())
    font = share_poster.Fonts.load().name
    assert len(lines) == 3 and lines[-1].endswith("…")
    assert LONG_NAME.startswith("".join(lines)[:-1])
    assert all(font.getlength(line) <= share_poster.TEXT_WIDTH for line in lines)
    image = opened(client.get(poster_url(activity)))
    top, margin = band_bottom(image), share_poster.MARGIN - 4
    for side in ((0, top, margin, CARD_TOP), (1080 - margin, top, 1080, CARD_TOP)):
        assert image.crop(side).getextrema() == ((255, 255),) * 3  # nothing runs into the margins
    above_card = image.crop((0, CARD_TOP - share_poster.GAP // 2, 1080, CARD_TOP))
    assert above_card.getextrema() == ((255, 255),) * 3  # nor into the card
    assert decoded(image) == [f"https://kepuri.example.org/a/{activity.public_code}/"]


def test_without_a_cjk_font_the_poster_is_still_made(client, activity, settings, monkeypatch, caplog):
    qr.font_file.cache_clear()  # the autouse check found one; forget it for this test
    settings.QR_FONT_PATH = ""
    monkeypatch.setattr(qr, "FONT_CANDIDATES", [])  # a server without CJK fonts (the outside world)
    try:
        with caplog.at_level(logging.WARNING, logger="activities.share_poster"):
            image = opened(client.get(poster_url(activity)))
        assert image.size == (1080, 1920)
        assert decoded(image) == [f"https://kepuri.example.org/a/{activity.public_code}/"]
        assert "No CJK font" in caplog.text
    finally:
        qr.font_file.cache_clear()

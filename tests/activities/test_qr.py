"""The activity QR code, read back by a decoder we did not write (zxing-cpp)."""

import io
import xml.etree.ElementTree as ET

import pytest
import zxingcpp
from django.core import checks
from PIL import Image

from activities import qr
from tests.factories import UserFactory, make_activity

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def cjk_font():
    assert qr.font_file(), (
        "The QR caption needs a CJK font: apt-get install fonts-noto-cjk (scripts/test.sh does)"
    )


@pytest.fixture
def activity(settings):
    settings.SITE_URL = "https://kepuri.example.org"
    owner = UserFactory()
    return make_activity(owner, status="pending", name="节水科普进社区：家庭节水小妙招大家谈（第一场）")


def download(client, activity, kind):
    client.force_login(activity.owner)
    response = client.get(f"/activities/{activity.public_code}/qrcode.{kind}?download=1")
    assert response.status_code == 200
    return response


def test_the_png_decodes_to_the_public_url(client, activity):
    response = download(client, activity, "png")
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment; filename*=utf-8''")
    image = Image.open(io.BytesIO(response.content))
    results = zxingcpp.read_barcodes(image)
    assert [r.text for r in results] == [f"https://kepuri.example.org/a/{activity.public_code}/"]
    assert results[0].format == zxingcpp.BarcodeFormat.QRCode
    assert results[0].ec_level in ("Q", "H")


def test_the_png_is_for_print(activity):
    image = Image.open(io.BytesIO(qr.png(activity))).convert("L")
    assert image.width >= 1000
    modules = len(qr._matrix(activity))
    box = image.width // modules
    quiet = image.crop((0, 0, image.width, box * qr.QUIET_ZONE))
    assert quiet.getextrema() == (255, 255)  # a 4-module white border above the code
    caption = image.crop((0, image.width, image.width, image.height))
    assert caption.getextrema()[0] < 128  # the caption is drawn below it


def test_the_caption_holds_the_name_and_the_campaign_label(activity):
    lines = qr.caption_lines(activity)
    assert "".join(lines[:-1]) == activity.name
    assert lines[-1] == "2020年全国科普日活动"


def test_the_svg_is_well_formed_with_the_caption(client, activity):
    response = download(client, activity, "svg")
    assert response["Content-Type"] == "image/svg+xml"
    root = ET.fromstring(response.content)
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert texts[-1] == "2020年全国科普日活动"
    assert "".join(texts[:-1]) == activity.name
    assert not list(root.iter("{http://www.w3.org/2000/svg}script"))


def test_a_draft_has_no_qr_code(client):
    owner = UserFactory()
    draft = make_activity(owner, status="draft")
    client.force_login(owner)
    assert client.get(f"/activities/{draft.public_code}/qrcode.png").status_code == 404
    assert (
        "活动提交后才能生成二维码"
        in client.get(f"/activities/{draft.public_code}/qrcode/", follow=True).content.decode()
    )


def test_without_a_cjk_font_the_code_still_prints(activity, settings, monkeypatch):
    qr.font_file.cache_clear()  # the autouse check found one; forget it for this test
    settings.QR_FONT_PATH = ""
    monkeypatch.setattr(qr, "FONT_CANDIDATES", [])  # a server without CJK fonts (the outside world)
    try:
        image = Image.open(io.BytesIO(qr.png(activity)))
        assert image.width == image.height >= 1000
        assert zxingcpp.read_barcodes(image)[0].text.endswith(f"/a/{activity.public_code}/")
    finally:
        qr.font_file.cache_clear()


def test_check_deploy_warns_without_a_cjk_font(settings, monkeypatch):
    assert "kepuri.W002" not in [m.id for m in checks.run_checks(include_deployment_checks=True)]
    qr.font_file.cache_clear()
    settings.QR_FONT_PATH = ""
    monkeypatch.setattr(qr, "FONT_CANDIDATES", [])
    try:
        warnings = [m for m in checks.run_checks(include_deployment_checks=True) if m.id == "kepuri.W002"]
        assert [w.hint for w in warnings] == [
            "Install fonts-noto-cjk (Debian/Ubuntu) or set QR_FONT_PATH to a TTF/OTF/TTC file."
        ]
    finally:
        qr.font_file.cache_clear()


def test_the_images_are_drawn_once_and_again_when_the_name_changes(client, activity, monkeypatch):
    drawn = []
    real_png = qr.png
    monkeypatch.setattr(qr, "png", lambda a: drawn.append(a.name) or real_png(a))  # counts the outside work
    first = download(client, activity, "png")
    second = download(client, activity, "png")
    assert second.content == first.content and len(drawn) == 1
    assert client.get(f"/activities/{activity.public_code}/qrcode.png",
                      HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304  # fmt: skip
    activity.name = "节水科普进校园"
    activity.save()
    third = download(client, activity, "png")
    assert third["ETag"] != first["ETag"] and len(drawn) == 2
    assert [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(third.content)))] == [
        f"https://kepuri.example.org/a/{activity.public_code}/"
    ]


def test_a_cached_image_is_only_for_its_owner(client, activity):
    download(client, activity, "png")
    client.force_login(UserFactory())
    assert client.get(f"/activities/{activity.public_code}/qrcode.png").status_code == 404

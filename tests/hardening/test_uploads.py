"""Uploads are stored as re-encoded images under names we choose, and served so that nothing in them runs.

Issue 9, item 4: a poster sent as HTML, SVG, a script or an image/HTML polyglot
through the real wizard is either refused with a message (the rest of the form
kept) or stored only as a JPEG that we encoded, named by us; the stored file is
served as image/* with ``nosniff`` and a sandboxing policy.
"""

import io
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from activities.models import Activity
from tests.activities.conftest import REPORT_OPEN, report_data
from tests.factories import make_organiser
from tests.support import text_of

pytestmark = pytest.mark.django_db

SCRIPT = b"<html><body><script>alert(document.cookie)</script></body></html>"
POSTER_FIELDS = ("poster", "poster_list", "poster_page")


@pytest.fixture
def organiser_client(client, time_machine, settings):
    settings.SERVE_MEDIA = True  # as in development; in production the reverse proxy serves /media/
    time_machine.move_to(REPORT_OPEN, tick=False)
    client.force_login(make_organiser(phone="13800138000"))
    return client


def submit(client, poster):
    """发布活动 step 1, then step 2 with ``poster``: the wizard's answer."""
    step_one = client.post(
        "/publish/",
        {
            "name": "保定市示范科技馆",
            "contact_name": "李老师",
            "contact_phone": "0312-5123456",
            "address": "保定",
        },
    )
    return client.post(step_one.url, report_data(poster=poster))


def jpeg_with_comment(name, comment):
    buffer = io.BytesIO()
    Image.new("RGB", (640, 400), (200, 60, 30)).save(buffer, "JPEG", comment=comment)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def png_with_html_appended(name):
    buffer = io.BytesIO()
    Image.new("RGB", (640, 400), (30, 120, 200)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue() + SCRIPT, content_type="image/png")


def stored_files():
    root = Path(django_settings.MEDIA_ROOT)
    return {path for path in root.rglob("*") if path.is_file()}


REFUSED = {
    "html": (
        lambda: SimpleUploadedFile("poster.html", SCRIPT, content_type="text/html"),
        "“poster.html”不是有效的图片，请上传 JPEG、PNG 或 WebP 格式",
    ),
    "svg with a script": (
        lambda: SimpleUploadedFile(
            "poster.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            content_type="image/svg+xml",
        ),
        "“poster.svg”不是有效的图片，请上传 JPEG、PNG 或 WebP 格式",
    ),
    "html named .jpg": (
        lambda: SimpleUploadedFile("poster.jpg", SCRIPT, content_type="image/jpeg"),
        "“poster.jpg”不是有效的图片，请上传 JPEG、PNG 或 WebP 格式",
    ),
}


@pytest.mark.parametrize("case", REFUSED)
def test_a_page_or_script_as_poster_is_refused_with_a_message_and_the_rest_kept(organiser_client, case):
    make, message = REFUSED[case]
    before = stored_files()
    response = submit(organiser_client, make())
    assert response.status_code == 200
    assert message in text_of(response)
    assert 'value="节水科普进社区"' in response.content.decode()
    assert not Activity.objects.exists()
    assert stored_files() == before  # nothing of it was written anywhere


ACCEPTED = {
    "jpeg named .php with a script in its comment": (
        lambda: jpeg_with_comment("shell.php", b"<?php system($_GET['c']); ?>" + SCRIPT),
        (b"<?php", b"<script"),
    ),
    "png with html appended (polyglot)": (
        lambda: png_with_html_appended("poster.png"),
        (b"<html", b"<script"),
    ),
}


@pytest.mark.parametrize("case", ACCEPTED)
def test_an_image_carrying_code_is_stored_only_as_our_jpeg_under_our_name(organiser_client, case):
    make, payload = ACCEPTED[case]
    response = submit(organiser_client, make())
    activity = Activity.objects.get()
    assert response.status_code == 302 and activity.status == "pending"
    for field in POSTER_FIELDS:
        stored = getattr(activity, field)
        name = Path(stored.name).name
        assert name.endswith(".jpg") and "shell" not in name and "poster" not in name, name
        data = Path(stored.path).read_bytes()
        assert data[:3] == b"\xff\xd8\xff"  # a JPEG, as we encoded it
        assert all(part not in data for part in payload)
        with Image.open(io.BytesIO(data)) as image:
            assert image.format == "JPEG"


def test_a_stored_poster_is_served_as_an_image_that_cannot_run(organiser_client):
    submit(organiser_client, png_with_html_appended("poster.png"))
    activity = Activity.objects.get()
    for field in POSTER_FIELDS:
        url = getattr(activity, field).url
        assert url.startswith("/media/activities/")
        response = organiser_client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
        assert b"".join(response.streaming_content)[:3] == b"\xff\xd8\xff"


def test_only_the_stored_types_are_served_from_media(client, settings):
    settings.SERVE_MEDIA = True
    root = Path(settings.MEDIA_ROOT) / "planted"
    root.mkdir(exist_ok=True)
    for name in ("x.html", "x.svg", "x.php", "x.js", "noext"):
        (root / name).write_bytes(SCRIPT)
        assert client.get(f"/media/planted/{name}").status_code == 404, name
    (root / "x.pdf").write_bytes(b"%PDF-1.4\n%%EOF")
    pdf = client.get("/media/planted/x.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf["Content-Disposition"] == "attachment"
    assert pdf["X-Content-Type-Options"] == "nosniff"
    assert pdf["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_media_is_not_served_by_django_unless_asked(client, settings):
    settings.SERVE_MEDIA = False  # production: the reverse proxy serves /media/
    root = Path(settings.MEDIA_ROOT) / "planted"
    root.mkdir(exist_ok=True)
    (root / "x.jpg").write_bytes(b"\xff\xd8\xff")
    assert client.get("/media/planted/x.jpg").status_code == 404
    settings.SERVE_MEDIA = True
    assert client.get("/media/planted/x.jpg").status_code == 200

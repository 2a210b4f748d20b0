"""分享海报 of the demo's public activity, opened in Chromium as a phone opens the link; with
``SCREENSHOT_DIR`` set it is saved as ``share-poster.png`` (docs/screenshots)."""

import os
from pathlib import Path

import pytest
import zxingcpp
from django.core.management import call_command
from PIL import Image

from activities import qr
from activities.models import Activity

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_demo_activity_s_share_poster(page, live_server, tmp_path):
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    activity = Activity.objects.get(name="青少年科学实验开放日", status="approved")
    page.set_viewport_size({"width": 390, "height": 844})
    response = page.goto(f"{live_server.url}/a/{activity.public_code}/poster.png")
    assert response.status == 200 and response.headers["content-type"] == "image/png"
    assert page.evaluate("[document.images[0].naturalWidth, document.images[0].naturalHeight]") == [
        1080,
        1920,
    ]
    target = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    target.mkdir(parents=True, exist_ok=True)
    (target / "share-poster.png").write_bytes(response.body())
    image = Image.open(target / "share-poster.png")
    assert [r.text for r in zxingcpp.read_barcodes(image)] == [qr.public_url(activity)]

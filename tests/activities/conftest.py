"""An organiser in the middle of the 2020 report window, and a complete report to send."""

import io
from datetime import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from activities.models import Campaign
from directory.models import SupervisingUnit
from tests.factories import make_organiser
from tests.support import SHANGHAI

REPORT_OPEN = datetime(2020, 9, 1, 10, 0, tzinfo=SHANGHAI)


def image_file(name="poster.png", size=(800, 500), fmt="PNG", color=(30, 120, 200)):
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{fmt.lower()}")


def report_data(**overrides):
    baoding_kexie = SupervisingUnit.objects.get(short_name="保定市科协")
    campaign = Campaign.objects.get(year=2020)
    data = {
        "activity_type": "hybrid",
        "name": "节水科普进社区",
        "starts_at": "2020-09-15T09:30",
        "ends_at": "2020-09-15T11:30",
        "province": "130000",
        "region": "130600",
        "category": str(campaign.categories.get(name="节水").pk),
        "description": "面向社区居民开展节水知识讲座和体验活动。",
        "address": "河北省保定市竞秀区示范社区活动中心",
        "url": "https://live.example.org/jieshui",
        "supervisor_type": "city",
        "supervisor": str(baoding_kexie.pk),
        "hosts": "保定市科学技术协会，保定市水利局",
        "organizers": "示范社区居委会",
        "is_public": "1",
        "submit": "1",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def campaign():
    return Campaign.objects.get(year=2020)


@pytest.fixture
def open_clock(time_machine):
    """In the 2020 report window (2020-09-01 10:00 Asia/Shanghai)."""
    time_machine.move_to(REPORT_OPEN, tick=False)
    return time_machine


@pytest.fixture
def organiser():
    return make_organiser(phone="13800138000")


@pytest.fixture
def organiser_client(client, organiser):
    client.force_login(organiser)
    return client

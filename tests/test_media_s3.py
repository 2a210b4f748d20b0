"""Media on an S3-compatible bucket (``MEDIA_STORAGE=s3``; issue 11, item 1).

moto's S3 runs as a real HTTP server on 127.0.0.1 in a thread of this process
(started here, nothing else needed); the site talks to it through django-storages
and boto3 over HTTP, and the test fetches what pages link to with ``requests``,
as a browser would. The storage is configured by the settings module itself,
run with the ``MEDIA_STORAGE`` and ``S3_*`` variables pointing at that server.
"""

import json
import re
import runpy
import uuid
from types import SimpleNamespace

import boto3
import pytest
import requests
from django.test import Client

import kepuri.settings as settings_module
from activities.models import Activity
from directory.models import SupervisingUnit
from reviews.models import ReviewerRole
from tests.activities.conftest import REPORT_OPEN, image_file, report_data
from tests.activities.test_wizard import start
from tests.factories import UserFactory, make_activity
from tests.summaries.test_summary import pdf
from tests.support import text_of

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def s3_server():
    from moto.server import ThreadedMotoServer  # only here: moto is no dependency of the site

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_server, settings, monkeypatch):
    """A new bucket anyone may read (as the README asks), and the site's media on it."""
    name = f"kepuri-media-{uuid.uuid4().hex[:8]}"
    keys = {"aws_access_key_id": "kepuri", "aws_secret_access_key": "kepuri-secret"}
    client = boto3.client("s3", endpoint_url=s3_server, region_name="us-east-1", **keys)
    client.create_bucket(Bucket=name)
    public_read = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{name}/*",
            }
        ],
    }
    client.put_bucket_policy(Bucket=name, Policy=json.dumps(public_read))
    environment = {
        "MEDIA_STORAGE": "s3",
        "S3_BUCKET": name,
        "S3_ENDPOINT_URL": s3_server,
        "S3_REGION": "us-east-1",
        "S3_ACCESS_KEY_ID": keys["aws_access_key_id"],
        "S3_SECRET_ACCESS_KEY": keys["aws_secret_access_key"],
    }
    for variable, value in environment.items():
        monkeypatch.setenv(variable, value)
    configured = runpy.run_path(settings_module.__file__)
    # Django's setting_changed handler drops the storages it made, so the next use makes them anew.
    settings.STORAGES = {**settings.STORAGES, "default": configured["STORAGES"]["default"]}
    media_url = settings.MEDIA_URL = configured["MEDIA_URL"]
    assert media_url == f"{s3_server}/{name}/"
    return SimpleNamespace(client=client, name=name, url=media_url)


def stored(bucket) -> set[str]:
    listing = bucket.client.list_objects_v2(Bucket=bucket.name)
    return {item["Key"] for item in listing.get("Contents", [])}


def img_src(response, alt: str) -> str:
    return re.search(rf'<img src="([^"]+)" alt="{re.escape(alt)}"', response.content.decode())[1]


def fetched(url: str) -> requests.Response:
    response = requests.get(url, timeout=10)
    assert response.status_code == 200, url
    return response


def test_a_poster_and_photos_go_to_the_bucket_and_stay_through_delete_and_restore(
    bucket, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(REPORT_OPEN, tick=False)
    organiser_client = Client()
    organiser_client.force_login(UserFactory(phone="13800138000"))

    # 发布活动 through the wizard's pages, with a poster.
    response = organiser_client.post(start(organiser_client), report_data(poster=image_file("宣传图.png")))
    activity = Activity.objects.get()
    code = activity.public_code
    assert response.url == f"/activities/{code}/supplement/"
    posters = {activity.poster.name, activity.poster_list.name, activity.poster_page.name}
    assert stored(bucket) == posters
    assert all(
        re.fullmatch(rf"activities/{code}/[0-9a-f]{{12}}-(original|list|page)\.jpg", key) for key in posters
    )
    head = bucket.client.head_object(Bucket=bucket.name, Key=activity.poster_page.name)
    assert (head["ContentType"], head["CacheControl"]) == ("image/jpeg", "public, max-age=604800")

    # 补充活动信息: a photo.
    response = organiser_client.post(f"/activities/{code}/supplement/", {"photos": [image_file("现场.png")]})
    assert response.url == f"/activities/{code}/qrcode/"
    photo = activity.photos.get()
    assert stored(bucket) == posters | {photo.image.name, photo.image_list.name}

    # The QR code is drawn by the site on request (and cached), never stored as a file.
    qr = organiser_client.get(img_src(organiser_client.get(response.url), f"“{activity.name}”的活动二维码"))
    assert (qr.status_code, qr["Content-Type"]) == (200, "image/png")
    assert len(stored(bucket)) == 5

    # Approved, the activity's page shows the poster and the photo from the bucket.
    reviewer = UserFactory()
    ReviewerRole.objects.create(user=reviewer, unit=SupervisingUnit.objects.get(short_name="保定市科协"))
    reviewer_client = Client()
    reviewer_client.force_login(reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        reviewer_client.post(f"/review/activities/{code}/decide/", {"decision": "approve"})
    public = Client()
    page = public.get(f"/a/{code}/")
    poster_url = img_src(page, f"{activity.name}的宣传图")
    photo_url = img_src(page, "活动图片1")
    assert (poster_url, photo_url) == (
        bucket.url + activity.poster_page.name,
        bucket.url + photo.image_list.name,
    )
    poster = fetched(poster_url)
    assert poster.headers["Content-Type"] == "image/jpeg" and poster.content[:3] == b"\xff\xd8\xff"
    assert fetched(photo_url).headers["Content-Type"] == "image/jpeg"

    # 删除 by its organiser: gone from the site, its files kept.
    with django_capture_on_commit_callbacks(execute=True):
        response = organiser_client.post(f"/activities/{code}/delete/")
    assert response.status_code == 302
    assert public.get(f"/a/{code}/").status_code == 404
    assert len(stored(bucket)) == 5

    # 恢复 by an admin: the page is back, with the same poster, still served.
    admin = Client()
    admin.force_login(UserFactory(is_staff=True, is_superuser=True))
    with django_capture_on_commit_callbacks(execute=True):
        admin.post("/admin/activities/activity/", {"action": "restore", "_selected_action": [activity.pk]})
    page = public.get(f"/a/{code}/")
    assert "节水科普进社区" in text_of(page)
    assert img_src(page, f"{activity.name}的宣传图") == poster_url
    assert fetched(poster_url).content == poster.content


def test_a_summary_pdf_is_stored_as_a_pdf_download(bucket, time_machine):
    time_machine.move_to(REPORT_OPEN.replace(month=10), tick=False)
    owner = UserFactory(phone="13800138000")
    activity = make_activity(owner, status="approved")
    client = Client()
    client.force_login(owner)
    response = client.post(
        f"/activities/{activity.public_code}/summary/",
        {"text": "顺利举行", "participants": "250", "attachments": [pdf("总结.pdf")]},
    )
    assert response.status_code == 302
    attachment = activity.summary.attachments.get()
    assert stored(bucket) == {attachment.file.name}
    served = fetched(attachment.file.url)
    assert served.headers["Content-Type"] == "application/pdf"
    assert served.headers["Content-Disposition"] == "attachment"
    assert served.content.startswith(b"%PDF-")

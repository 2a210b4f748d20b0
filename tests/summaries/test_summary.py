"""编辑总结: approved activities, from their start to the summary deadline, once, with attachments."""

import io
from datetime import datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from activities.services import ActivityError
from summaries import services
from summaries.models import ActivitySummary
from tests.factories import UserFactory, make_activity
from tests.support import SHANGHAI, text_of

pytestmark = pytest.mark.django_db

TICK = timedelta(microseconds=1)
STARTS = datetime(2020, 9, 15, 9, 30, tzinfo=SHANGHAI)
CLOSES = datetime(2020, 10, 17, tzinfo=SHANGHAI)


def summarize(activity, user, when):
    return services.save_summary(
        activity=activity, user=user, text="活动顺利举行。", participants=120, attachments=[], at=when
    )


@pytest.fixture
def owner():
    return UserFactory(phone="13800138000")


def test_from_the_start_to_the_deadline(owner):
    activity = make_activity(owner, status="approved")
    with pytest.raises(ActivityError, match="活动总结将于2020年9月15日 09:30开放"):
        summarize(activity, owner, STARTS - TICK)
    with pytest.raises(ActivityError, match="活动总结已于2020年10月16日截止"):
        summarize(activity, owner, CLOSES)
    summary = summarize(activity, owner, CLOSES - TICK)
    assert (summary.participants, summary.created_at) == (120, CLOSES - TICK)


def test_once_only(owner):
    activity = make_activity(owner, status="approved")
    summarize(activity, owner, STARTS)
    with pytest.raises(ActivityError, match="活动总结已提交，不可修改"):
        summarize(activity, owner, STARTS + TICK)
    assert ActivitySummary.objects.count() == 1


@pytest.mark.parametrize("status", ["draft", "pending", "rejected"])
def test_only_approved_activities(owner, status):
    with pytest.raises(ActivityError, match="活动审核通过后才能填写总结"):
        summarize(make_activity(owner, status=status), owner, STARTS)


def test_not_someone_else(owner):
    with pytest.raises(ActivityError, match="只有发布该活动的账号可以操作"):
        summarize(make_activity(owner, status="approved"), UserFactory(), STARTS)


# --- the page ---------------------------------------------------------------------------


def png(name="photo.png", size=(300, 200)):
    buffer = io.BytesIO()
    Image.new("RGB", size, "green").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def pdf(name="report.pdf", body=b"%PDF-1.4\n%\xe2\xe3\n1 0 obj <<>> endobj\n%%EOF\n"):
    return SimpleUploadedFile(name, body, content_type="application/pdf")


@pytest.fixture
def page(client, owner, time_machine):
    time_machine.move_to(datetime(2020, 10, 1, 10, 0, tzinfo=SHANGHAI), tick=False)
    client.force_login(owner)
    activity = make_activity(owner, status="approved")
    return client, f"/activities/{activity.public_code}/summary/", activity


def test_the_summary_page_saves_text_count_and_attachments(page):
    client, url, activity = page
    assert "活动参与人数" in text_of(client.get(url))
    response = client.post(url, {"text": "顺利举行", "participants": "250", "attachments": [png(), pdf()]})
    assert response.status_code == 302
    summary = activity.summary
    assert summary.participants == 250
    assert sorted(summary.attachments.values_list("kind", flat=True)) == ["image", "pdf"]
    # Final once saved: the page is refused and the operation greyed.
    assert client.get(url).status_code == 302
    assert "活动总结已提交，不可修改" in text_of(client.get("/center/"))


@pytest.mark.parametrize(
    ("participants", "message"),
    [
        ("-1", "参与人数不能为负数"),
        ("12.5", "请输入整数"),
        ("", "请填写活动参与人数"),
        ("99999999999", "参与人数过大"),
    ],
)
def test_participant_count_must_be_a_whole_number(page, participants, message):
    client, url, _ = page
    response = client.post(url, {"text": "顺利举行", "participants": participants})
    assert message in text_of(response)
    assert "顺利举行" in response.content.decode()


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("fake.pdf", b"not a pdf at all"), "“fake.pdf”不是图片或 PDF 文件"),
        (SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024)), "“big.pdf”超过 10 MB"),
    ],
)
def test_bad_attachments_are_refused(page, upload, message):
    client, url, _ = page
    response = client.post(url, {"text": "顺利举行", "participants": "10", "attachments": [upload]})
    assert message in text_of(response)
    assert not ActivitySummary.objects.exists()


def test_at_most_five_attachments(page):
    client, url, _ = page
    response = client.post(
        url, {"text": "顺利举行", "participants": "10", "attachments": [png(f"{n}.png") for n in range(6)]}
    )
    assert "最多上传 5 个文件，您选择了 6 个" in text_of(response)

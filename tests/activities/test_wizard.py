"""发布活动 through its pages: the steps, the checks on each field, bad uploads, the public path."""

import io
import re
from datetime import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from activities.models import Activity, StagedPoster
from activities.services import stage_poster
from kepuri.uploads import Rendition, process_image
from tests.activities.conftest import image_file, report_data
from tests.factories import UserFactory, make_activity
from tests.support import SHANGHAI, text_of

pytestmark = pytest.mark.django_db


def start(client):
    """Step 1 → the step-2 URL with its token."""
    response = client.post(
        "/publish/",
        {
            "name": "保定市示范科技馆",
            "contact_name": "李老师",
            "contact_phone": "0312-5123456",
            "address": "保定",
        },
    )
    assert response.status_code == 302, text_of(response)
    return response.url


def test_step_one_is_prefilled_and_leads_to_step_two(organiser_client, open_clock):
    page = organiser_client.get("/publish/")
    html = page.content.decode()
    assert 'value="保定市示范科技馆"' in html and "保存并下一步" in text_of(page)
    assert re.fullmatch(r"/publish/report/\?token=[0-9a-f-]{36}", start(organiser_client))


def test_step_two_labels_and_hints(organiser_client, open_clock):
    page = text_of(organiser_client.get(start(organiser_client)))
    for label in (
        "活动类型",
        "线上",
        "线下",
        "线上线下",
        "活动名称",
        "活动开始时间",
        "所在地区（省）",
        "活动类别",
        "活动简介",
        "活动地址",
        "活动网址",
        "归口单位类型",
        "部委",
        "全国学会",
        "省科协",
        "市科协",
        "其他",
        "主办单位",
        "承办单位",
        "活动宣传图",
        "是否在云上科普日展示",
        "暂存",
        "保存并下一步",
    ):
        assert label in page, label
    for hint in (
        "如开展网络活动须提供活动网址信息",
        "中间使用中文逗号",
        "建议上传精美图片吸引大众用户前来参与",
        "倡导各活动举办单位将您的活动在科普日网站上进行展示",
        "活动时间须在2020年8月3日至2020年10月16日之间",
    ):
        assert hint in page, hint


def test_submit_a_complete_report(organiser_client, open_clock):
    url = start(organiser_client)
    response = organiser_client.post(
        url, report_data(poster=image_file(), hosts="甲单位，乙单位,丙单位、 ，甲单位")
    )
    activity = Activity.objects.get()
    assert response.url == f"/activities/{activity.public_code}/supplement/"
    assert activity.status == "pending" and activity.hosts == ["甲单位", "乙单位", "丙单位"]
    assert activity.starts_at == datetime(2020, 9, 15, 9, 30, tzinfo=SHANGHAI)
    assert activity.poster_list.name.endswith("-list.jpg") and activity.poster_page.name.endswith("-page.jpg")
    # The same form sent again (a second click, a second tab) makes no second activity.
    organiser_client.post(url, report_data(poster=image_file()))
    assert Activity.objects.count() == 1


def test_a_draft_needs_only_a_name(organiser_client, open_clock):
    url = start(organiser_client)
    assert "请填写活动名称" in text_of(organiser_client.post(url, {"save_draft": "1"}))
    response = organiser_client.post(
        url, {"save_draft": "1", "name": "未写完的活动", "activity_type": "online"}
    )
    activity = Activity.objects.get()
    assert response.url == f"/activities/{activity.public_code}/edit/"
    assert (activity.status, activity.name) == ("draft", "未写完的活动")
    assert "草稿" in text_of(organiser_client.get("/center/"))


@pytest.mark.parametrize(
    ("activity_type", "missing", "message"),
    [
        ("online", "url", "如开展网络活动须提供活动网址信息"),
        ("hybrid", "url", "如开展网络活动须提供活动网址信息"),
        ("offline", "address", "线下活动须填写活动地址"),
        ("hybrid", "address", "线下活动须填写活动地址"),
    ],
)
def test_the_type_decides_what_is_required(organiser_client, open_clock, activity_type, missing, message):
    url = start(organiser_client)
    response = organiser_client.post(
        url, report_data(activity_type=activity_type, poster=image_file(), **{missing: ""})
    )
    assert message in text_of(response)
    assert not Activity.objects.exists()


def test_an_online_activity_keeps_no_address(organiser_client, open_clock):
    organiser_client.post(start(organiser_client), report_data(activity_type="online", poster=image_file()))
    assert Activity.objects.get().address == ""


@pytest.mark.parametrize(
    ("overrides", "field_message"),
    [
        ({"url": "javascript:alert(1)"}, "请输入以 http:// 或 https:// 开头的有效网址"),
        ({"url": "ftp://example.org/x"}, "请输入以 http:// 或 https:// 开头的有效网址"),
        ({"starts_at": "2020-07-30T09:00"}, "活动时间须在2020年8月3日至2020年10月16日之间"),
        ({"ends_at": "2020-10-17T09:00"}, "活动时间须在2020年8月3日至2020年10月16日之间"),
        ({"ends_at": "2020-09-15T08:00"}, "活动结束时间须晚于开始时间"),
        ({"hosts": " ， 、"}, "请填写主办单位"),
        ({"region": "130100"}, "市科协须为所在地区的市科协"),  # 石家庄, but the 科协 is 保定's
        ({"province": "140000"}, "所选城市不在所选省份内"),
        ({"supervisor_type": "other", "supervisor": ""}, "请输入归口单位名称全称"),
        ({"category": "999999"}, "选择一个有效的选项"),
    ],
)
def test_bad_fields_get_a_message_and_keep_the_rest(organiser_client, open_clock, overrides, field_message):
    response = organiser_client.post(start(organiser_client), report_data(poster=image_file(), **overrides))
    assert field_message in text_of(response)
    assert 'value="节水科普进社区"' in response.content.decode()
    assert not Activity.objects.exists()


def test_other_belongs_to_the_provincial_kexie(organiser_client, open_clock):
    organiser_client.post(
        start(organiser_client),
        report_data(
            poster=image_file(), supervisor_type="other", supervisor="", supervisor_name="保定市某中学"
        ),
    )
    activity = Activity.objects.get()
    assert activity.owner_unit.short_name == "河北省科协"
    assert activity.supervisor is None and activity.supervisor_name == "保定市某中学"


# --- 活动宣传图 -------------------------------------------------------------------


def bomb():
    """A PNG that is tiny on disk and 10 000 × 10 000 pixels once decoded."""
    buffer = io.BytesIO()
    Image.new("1", (10000, 10000)).save(buffer, "PNG")
    return SimpleUploadedFile("bomb.png", buffer.getvalue(), content_type="image/png")


def big_image():
    buffer = io.BytesIO()
    Image.effect_noise((1800, 1200), 100).convert("RGB").save(buffer, "BMP")
    raw = Image.open(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    raw.save(out, "PNG", compress_level=0)
    assert out.tell() > 6 * 1024 * 1024
    return SimpleUploadedFile("big.png", out.getvalue(), content_type="image/png")


BAD_UPLOADS = {
    "text named .jpg": (
        lambda: SimpleUploadedFile("fake.jpg", b"hello, not an image", content_type="image/jpeg"),
        "“fake.jpg”不是有效的图片",
    ),
    "6 MB image": (big_image, "“big.png”超过 5 MB"),
    "decompression bomb": (bomb, "“bomb.png”的像素尺寸过大"),
    "svg": (
        lambda: SimpleUploadedFile(
            "x.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            content_type="image/svg+xml",
        ),
        "“x.svg”不是有效的图片",
    ),
    "pdf renamed .png": (
        lambda: SimpleUploadedFile("doc.png", b"%PDF-1.4\n%%EOF", content_type="image/png"),
        "“doc.png”不是有效的图片",
    ),
    "gif": (lambda: image_file("anim.gif", fmt="GIF"), "“anim.gif”不是 JPEG、PNG 或 WebP 图片"),
}


@pytest.mark.parametrize("case", BAD_UPLOADS)
def test_bad_posters_are_refused_with_a_message_and_the_rest_kept(organiser_client, open_clock, case):
    make, message = BAD_UPLOADS[case]
    response = organiser_client.post(start(organiser_client), report_data(poster=make()))
    page = text_of(response)
    assert message in page
    assert 'value="节水科普进社区"' in response.content.decode()
    assert not Activity.objects.exists()


def test_a_good_poster_is_kept_when_another_field_fails(organiser_client, open_clock):
    url = start(organiser_client)
    response = organiser_client.post(url, report_data(poster=image_file("mine.png"), name=""))
    assert "请填写活动名称" in text_of(response)
    staged = StagedPoster.objects.get()
    assert f'value="{staged.pk}"' in response.content.decode()
    assert "已选择“mine.png”" in text_of(response)
    response = organiser_client.post(url, report_data(staged_poster=str(staged.pk)))  # no new file this time
    assert response.status_code == 302
    assert Activity.objects.get().poster.name.endswith("-original.jpg")
    assert not StagedPoster.objects.exists()


def test_someone_elses_staged_poster_is_not_taken(organiser_client, open_clock):
    theirs = stage_poster(
        owner=UserFactory(),
        poster=process_image(
            image_file(), max_bytes=10**7, renditions=(Rendition("list", 10, 10), Rendition("page", 20, 20))
        ),
    )
    response = organiser_client.post(start(organiser_client), report_data(staged_poster=str(theirs.pk)))
    assert "请上传活动宣传图" in text_of(response)


def test_exif_orientation_is_applied_and_metadata_dropped(organiser_client, open_clock):
    buffer = io.BytesIO()
    image = Image.new("RGB", (400, 200), "red")
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    exif[0x8825] = {1: "N"}  # a GPS block
    image.save(buffer, "JPEG", exif=exif)
    upload = SimpleUploadedFile("turned.jpg", buffer.getvalue(), content_type="image/jpeg")
    organiser_client.post(start(organiser_client), report_data(poster=upload))
    with Activity.objects.get().poster.open("rb") as stored:
        saved = Image.open(stored)
        assert saved.size == (200, 400)
        assert not saved.getexif()


# --- who may open what ----------------------------------------------------------------

OWNER_PAGES = ["edit", "supplement", "qrcode", "qrcode.png", "qrcode.svg", "delete", "summary"]


@pytest.mark.parametrize("page", OWNER_PAGES)
def test_another_organiser_gets_404_and_a_visitor_the_login(client, organiser, open_clock, page):
    activity = make_activity(organiser, status="approved")
    url = f"/activities/{activity.public_code}/{page}" + ("" if "." in page else "/")
    assert client.get(url).url.startswith("/accounts/login/?next=")
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404


def test_a_refused_operation_says_why(organiser_client, organiser, open_clock):
    activity = make_activity(organiser, status="pending")
    response = organiser_client.get(f"/activities/{activity.public_code}/edit/", follow=True)
    assert "活动待审核，请等审核结果出来后再编辑" in text_of(response)


# --- 用户中心 and the public page ------------------------------------------------------


def test_user_center_shows_status_reason_and_change_waiting(organiser_client, organiser, open_clock):
    make_activity(organiser, status="rejected", name="被退回的活动", rejection_reason="请补充活动地址")
    approved = make_activity(organiser, status="approved", name="已通过的活动")
    approved.changes.create(data={}, submitted_by=organiser)
    page = text_of(organiser_client.get("/center/"))
    assert "审核未通过 原因：请补充活动地址" in page
    assert "修改待审核" in page
    assert "填报截止 9月25日" in page and "补充截止 10月9日" in page


def test_public_page_by_status(client, organiser, open_clock):
    draft = make_activity(organiser, status="draft")
    pending = make_activity(organiser, status="pending")
    approved = make_activity(organiser, status="approved", name="公开的活动")
    approved.changes.create(data={"name": "尚未通过的新名字"}, submitted_by=organiser)
    deleted = make_activity(organiser, status="approved", deleted_at=datetime(2020, 9, 1, tzinfo=SHANGHAI))
    assert client.get(f"/a/{draft.public_code}/").status_code == 404
    assert "审核中" in text_of(client.get(f"/a/{pending.public_code}/"))
    page = text_of(client.get(f"/a/{approved.public_code}/"))
    assert "公开的活动" in page and "尚未通过的新名字" not in page and "2020年全国科普日活动" in page
    assert client.get(f"/a/{deleted.public_code}/").status_code == 404


def test_public_codes_are_short_random_and_not_the_id(organiser):
    codes = {make_activity(organiser).public_code for _ in range(20)}
    assert len(codes) == 20
    assert all(re.fullmatch(r"[2-9a-hjkmnp-z]{8}", code) for code in codes)


def test_delete_after_a_confirmation(organiser_client, organiser, open_clock):
    activity = make_activity(organiser, status="approved")
    url = f"/activities/{activity.public_code}/delete/"
    assert "确定删除活动" in text_of(organiser_client.get(url))
    assert organiser_client.post(url).url == "/center/"
    assert not Activity.objects.exists() and Activity.all_objects.get().deleted_at is not None
    assert "您还没有发布活动" in text_of(organiser_client.get("/center/"))


def test_publishing_is_refused_when_the_report_window_is_closed(organiser_client, time_machine):
    time_machine.move_to(datetime(2020, 9, 26, tzinfo=SHANGHAI), tick=False)
    page = text_of(organiser_client.get("/publish/"))
    assert "活动填报已于2020年9月25日截止，暂时不能发布新活动" in page

"""The queue at scale and the flow through it: counts kept per scope, 下一条 after a decision,
第 n / N 条, 批量审核通过 of a whole filtered queue as a job, fixed queries whatever the size."""

import html
import re
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from activities.models import Activity, ActivityLink, ReviewDecision
from directory.models import Region
from notifications.models import Message
from notifications.services import notify
from reviews import services
from reviews.models import BulkApproval, ReviewerRole
from tests.factories import make_activity, make_change
from tests.reviews.conftest import flushed, reach, unit
from tests.support import SHANGHAI, FormsOnPage, header_text, queue_names, text_of

pytestmark = pytest.mark.django_db


def waiting(organiser, n, **fields):
    at = datetime(2020, 9, 1, 10, 0, tzinfo=SHANGHAI) + timedelta(minutes=n)
    fields.setdefault("owner_unit", unit("河北省科协"))
    fields.setdefault("status", "pending")
    return make_activity(organiser, submitted_at=at, first_submitted_at=at, name=f"活动{n:03d}", **fields)


@pytest.fixture
def hebei(client, roles):
    client.force_login(roles["unit"])
    return client


@pytest.fixture
def national(roles):
    client = Client()  # beside ``hebei``'s
    client.force_login(roles["parent"])
    return client


def place(response):
    return re.search(r"第 (\d+) / (\d+) 条", text_of(response)).groups()


# --- 下一条 ---------------------------------------------------------------------------------


def test_approve_goes_straight_to_the_next_item_of_the_same_filtered_queue(hebei, organiser):
    items = [waiting(organiser, n, activity_type="online" if n != 1 else "offline") for n in range(4)]
    page = hebei.get(f"/review/activities/{items[0].public_code}/", {"activity_type": "online"})
    assert place(page) == ("1", "3")
    html = page.content.decode()
    assert f'href="/review/activities/{items[2].public_code}/?activity_type=online" rel="next"' in html
    response = hebei.post(
        f"/review/activities/{items[0].public_code}/decide/",
        {"decision": "approve", "queue": "activity_type=online"},
    )
    # items[1] is offline: not in this filtered queue
    assert response.url == f"/review/activities/{items[2].public_code}/?activity_type=online"
    after = hebei.get(response.url)
    assert "“活动000”已审核通过" in text_of(after)
    assert place(after) == ("1", "2")  # the approved one has left the waiting queue: counted afresh


def test_reject_goes_to_the_next_too_and_the_last_one_back_to_the_queue(hebei, organiser):
    first, last = waiting(organiser, 0), waiting(organiser, 1)
    response = hebei.post(
        f"/review/activities/{first.public_code}/decide/",
        {"decision": "reject", "reason": "缺图", "queue": ""},
    )
    assert response.url == f"/review/activities/{last.public_code}/"
    response = hebei.post(
        f"/review/activities/{last.public_code}/decide/", {"decision": "approve", "queue": ""}
    )
    assert response.url == "/review/"
    assert "没有符合条件的活动" in text_of(hebei.get(response.url))


def test_a_refused_decision_stays_on_the_item_with_its_queue(hebei, organiser, roles, client):
    item = waiting(organiser, 0)
    client.force_login(roles["parent"])
    client.post(f"/review/activities/{item.public_code}/decide/", {"decision": "approve"})
    response = hebei.post(
        f"/review/activities/{item.public_code}/decide/",
        {"decision": "approve", "queue": "q=活动"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == f"/review/activities/{item.public_code}/?q=%E6%B4%BB%E5%8A%A8"
    assert "该活动没有待审核的内容" in text_of(response)
    assert ReviewDecision.objects.filter(to_status="approved").count() == 1


def test_previous_and_next_links_and_the_keys(hebei, organiser):
    items = [waiting(organiser, n) for n in range(3)]
    html = hebei.get(f"/review/activities/{items[1].public_code}/").content.decode()
    assert f'href="/review/activities/{items[0].public_code}/" rel="prev" data-key="k"' in html
    assert f'href="/review/activities/{items[2].public_code}/" rel="next" data-key="j"' in html
    assert 'data-key="a">审核通过' in html and 'data-key="r"' in html
    assert "/static/js/review-keys.js" in html
    text = text_of(hebei.get(f"/review/activities/{items[1].public_code}/"))
    assert "快捷键： j 下一条 · k 上一条 · a 审核通过 · r 填写未通过原因" in text


def test_an_item_outside_the_filter_still_has_its_neighbours(hebei, organiser):
    approved = waiting(organiser, 0, status="approved", waiting_since=None)
    following = waiting(organiser, 1)
    response = hebei.get(f"/review/activities/{approved.public_code}/")
    assert "不在当前筛选的队列中（共 1 条）" in text_of(response)
    # what waits comes before what does not: the waiting one is 上一条, there is no 下一条
    html = response.content.decode()
    assert f'href="/review/activities/{following.public_code}/" rel="prev"' in html
    assert 'rel="next"' not in html


# --- counts kept per scope ---------------------------------------------------------------------


def test_the_counts_follow_every_decision_and_submission(hebei, organiser, roles, client):
    items = [waiting(organiser, n) for n in range(3)]
    assert "共 3 个" in text_of(hebei.get("/review/"))
    client.force_login(roles["parent"])
    assert "待审核 3" in text_of(client.get("/review/"))
    hebei.post(f"/review/activities/{items[0].public_code}/decide/", {"decision": "approve"})
    page = text_of(hebei.get("/review/"))
    assert "共 2 个" in page and "待审核 2" in page
    assert "待审核 2" in text_of(client.get("/review/"))  # 中国科协's count moved too
    make_change(items[0])  # a change of the approved one waits again
    items[0].refresh_from_db()
    items[0].waiting_since = items[0].changes.get().submitted_at
    items[0].save(update_fields=["waiting_since"])
    assert "共 3 个" in text_of(hebei.get("/review/"))


def test_a_count_is_kept_while_nothing_in_the_scope_changes(hebei, organiser, roles):
    waiting(organiser, 0)
    hebei.get("/review/")
    with CaptureQueriesContext(connection) as kept:
        hebei.get("/review/")
    # elsewhere (山西) a new submission does not move 河北's counts
    make_activity(
        organiser, status="pending", owner_unit=unit("山西省科协"), region=Region.objects.get(code="140100")
    )
    with CaptureQueriesContext(connection) as after:
        hebei.get("/review/")
    assert len(after) == len(kept)
    assert not any(
        'COUNT(*) AS "__count" FROM "activities_activity"' in q["sql"] for q in after.captured_queries
    )


def test_the_queue_has_a_fixed_number_of_queries_for_the_whole_country(
    national, organiser, django_assert_max_num_queries
):
    cities = list(Region.objects.cities()[:40])
    for n in range(120):
        city = cities[n % len(cities)]
        activity = waiting(organiser, n, region=city, owner_unit=unit("河北省科协"))
        if n % 3:
            reach(activity, n, n % 5)
    national.get("/review/?state=all")  # its rows, counts and option lists made once
    # the session, and the reviewer with their role and unread count: what the page shows is kept
    with django_assert_max_num_queries(2):
        response = national.get("/review/?state=all")
    assert len(queue_names(response)) == 50
    following = re.search(r'rel="next" href="\?([^"]+)"', response.content.decode()).group(1)
    with django_assert_max_num_queries(8):  # a page not yet kept: its rows and its counts
        national.get(f"/review/?{html.unescape(following)}")


def test_a_kept_page_shows_the_views_and_shares_of_when_it_was_made(hebei, organiser):
    """The flush moves no scope on (reviews/queue.py): a kept page's counts are as of its making."""
    first = waiting(organiser, 0)
    flushed(first, 5, 1)
    assert "5 1" in row_text(hebei.get("/review/"), "活动000")
    flushed(first, 3, 1)
    assert "5 1" in row_text(hebei.get("/review/"), "活动000")  # kept: as it was made
    waiting(organiser, 1)  # anything that changes in the scope makes it again, with the counts of now
    assert "8 2" in row_text(hebei.get("/review/"), "活动000")


def row_text(response, name) -> str:
    html_text = response.content.decode()
    row = re.search(rf"<tr>(?:(?!</tr>).)*>{re.escape(name)}</a>(?:(?!</tr>).)*</tr>", html_text, re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row.group(0)))


def test_the_option_lists_are_built_once_per_scope(national, hebei, organiser):
    national.get("/review/")
    with CaptureQueriesContext(connection) as again:
        html = national.get("/review/?region=130600").content.decode()
    assert not any('FROM "directory_region"' in q["sql"] for q in again.captured_queries)
    assert '<option value="130600" selected>河北省—保定市</option>' in html
    assert '<option value="140100">山西省—太原市</option>' in html
    province = hebei.get("/review/").content.decode()
    assert "山西省—太原市" not in province and "河北省—保定市" in province


# --- filters at their edges ------------------------------------------------------------------------


def test_dates_are_days_in_shanghai(hebei, organiser):
    late = datetime(2020, 9, 15, 23, 59, 59, 999999, tzinfo=SHANGHAI)
    waiting(organiser, 0, starts_at=late, ends_at=late + timedelta(hours=1))
    midnight = datetime(2020, 9, 16, 0, 0, tzinfo=SHANGHAI)
    waiting(organiser, 1, starts_at=midnight, ends_at=midnight + timedelta(hours=1))

    def names(query):
        return queue_names(hebei.get(f"/review/?{query}"))

    assert names("starts_to=2020-09-15") == ["活动000"]
    assert names("starts_from=2020-09-16") == ["活动001"]
    assert names("starts_to=9999-12-31") == ["活动000", "活动001"]


def test_the_search_finds_a_submitted_report_by_its_words_or_code(hebei, organiser):
    one = waiting(organiser, 0, org_name="甲科技馆")
    waiting(organiser, 1, org_name="乙学校")
    assert queue_names(hebei.get("/review/?q=科技")) == ["活动000"]
    assert queue_names(hebei.get(f"/review/?q={one.public_code}")) == ["活动000"]


# --- 批量审核通过 of the whole filtered queue ------------------------------------------------------


def test_bulk_approval_of_everything_the_filter_holds(
    hebei, organiser, roles, django_capture_on_commit_callbacks
):
    online = [waiting(organiser, n, activity_type="online") for n in range(55)]
    offline = waiting(organiser, 60, activity_type="offline")
    own = waiting(roles["unit"], 61, activity_type="online")  # the reviewer's own: never theirs to decide
    shanxi = waiting(organiser, 62, activity_type="online", owner_unit=unit("山西省科协"))
    page = hebei.get("/review/?activity_type=online")
    assert "全部审核通过（当前条件下 55 个）" in text_of(page)
    assert 'name="expected" value="55"' in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = hebei.post(
            "/review/bulk-approve/all/", {"query": "activity_type=online", "expected": "55"}
        )
    job = BulkApproval.objects.get()
    assert response.url == f"/review/bulk/{job.pk}/"
    status = hebei.get(f"/review/bulk/{job.pk}/status/").json()
    assert (status["state"], status["percent"], status["approved"], status["refused"]) == ("done", 100, 55, 0)
    assert Activity.objects.filter(pk__in=[a.pk for a in online], status="approved").count() == 55
    assert Activity.objects.get(pk=offline.pk).status == "pending"
    assert Activity.objects.get(pk=own.pk).status == "pending"
    assert Activity.objects.get(pk=shanxi.pk).status == "pending"
    # each one through the transition service: its log entry and its notice
    assert ReviewDecision.objects.filter(to_status="approved", actor=roles["unit"]).count() == 55
    assert Message.objects.filter(recipient=organiser, kind="decision", channel="site").count() == 55
    page = text_of(hebei.get(f"/review/bulk/{job.pk}/"))
    assert "已处理 55 / 55 个：审核通过 55 个，未处理 0 个" in page and "返回审核队列" in page


def test_bulk_approval_refuses_a_count_that_moved(hebei, organiser):
    waiting(organiser, 0)
    waiting(organiser, 1)
    response = hebei.post("/review/bulk-approve/all/", {"query": "", "expected": "1"}, follow=True)
    assert "待审核的活动数已变为 2 个，请确认后再批量审核通过" in text_of(response)
    assert not BulkApproval.objects.exists()
    assert Activity.objects.filter(status="approved").count() == 0


def test_a_job_run_twice_decides_once(hebei, organiser, roles, django_capture_on_commit_callbacks):
    from reviews import bulk

    for n in range(3):
        waiting(organiser, n)
    job = BulkApproval.objects.create(requested_by=roles["unit"], unit=unit("河北省科协"), expected=3)
    bulk.run(job)
    again = BulkApproval.objects.create(requested_by=roles["unit"], unit=unit("河北省科协"), expected=3)
    bulk.run(again)
    assert (again.total, again.approved) == (0, 0)
    assert ReviewDecision.objects.filter(to_status="approved").count() == 3


def test_only_the_reviewer_follows_their_job(client, roles):
    job = BulkApproval.objects.create(requested_by=roles["unit"], unit=unit("河北省科协"))
    client.force_login(roles["parent"])
    assert client.get(f"/review/bulk/{job.pk}/status/").status_code == 404


# --- the review page, kept per reviewer until its scope changes -----------------------------------


def test_the_review_page_is_kept_until_what_it_shows_changes(hebei, organiser, roles):
    item = waiting(organiser, 0, supplemented_at=datetime(2020, 9, 16, 10, 0, tzinfo=SHANGHAI))
    link = ActivityLink.objects.create(activity=item, kind="news", url="https://news.example.org/1")
    url = f"/review/activities/{item.public_code}/"
    hebei.get(url)
    with CaptureQueriesContext(connection) as again:
        assert "https://news.example.org/1" in text_of(hebei.get(url))
    assert not any("activities_activitylink" in q["sql"] for q in again.captured_queries)
    # each part of the page moves it on: a hidden link, a 延期, a decision
    hebei.post(f"{url}items/link/{link.pk}/hide/")
    assert "已隐藏" in text_of(hebei.get(url))
    hebei.post(f"{url}extend/", {"window": "report", "last_day": "2020-12-01", "reason": "受疫情影响"})
    assert "受疫情影响" in text_of(hebei.get(url))
    hebei.post(f"{url}decide/", {"decision": "reject", "reason": "缺图"})
    page = text_of(hebei.get(url))
    assert "状态 审核未通过（原因：缺图）" in page and "待审核 → 审核未通过" in page


def test_a_kept_review_page_carries_this_request_s_form_token(organiser, roles):
    item = waiting(organiser, 0)
    url = f"/review/activities/{item.public_code}/"
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(roles["unit"])
    browser.get(url)
    html = browser.get(url).content.decode()  # kept
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    assert "csrf-token-of-the-request" not in html
    response = browser.post(f"{url}decide/", {"decision": "approve", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert Activity.objects.get(pk=item.pk).status == "approved"


def test_each_reviewer_gets_their_own_page(roles):
    own = waiting(roles["unit"], 1)  # the 河北 reviewer's own: they read it, never decide it
    url = f"/review/activities/{own.public_code}/"
    national, mine = Client(), Client()
    national.force_login(roles["parent"])
    mine.force_login(roles["unit"])
    for client in (national, mine, national, mine):  # each kept once, then read back
        html = client.get(url).content.decode()
        assert ('data-key="a">审核通过' in html) is (client is national)


# --- the reviewer read in one query: the session still decides --------------------------------------


def test_a_password_changed_elsewhere_ends_the_console_session(hebei, roles):
    assert hebei.get("/review/").status_code == 200
    roles["unit"].set_password("另一个密码123")
    roles["unit"].save()
    response = hebei.get("/review/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_a_revoked_role_is_refused_at_once_and_a_stopped_account_logged_out(hebei, roles):
    assert hebei.get("/review/").status_code == 200
    services.revoke_roles(ReviewerRole.objects.filter(user=roles["unit"]), by=roles["superuser"])
    assert hebei.get("/review/").status_code == 403
    ReviewerRole.objects.create(user=roles["unit"], unit=unit("河北省科协"))
    assert hebei.get("/review/").status_code == 200
    User.objects.filter(pk=roles["unit"].pk).update(is_active=False)
    assert hebei.get("/review/").status_code == 302


def test_the_header_counts_the_reviewer_s_unread_messages(hebei, roles):
    assert "消息 审核" in header_text(hebei.get("/review/"))
    notify(roles["unit"], kind="extension", key="k1", title="通知", body="内容")
    assert "消息 1 审核" in header_text(hebei.get("/review/"))


def test_each_form_of_the_review_page_stands_alone(hebei, organiser):
    item = waiting(organiser, 0, status="approved", waiting_since=None)
    url = f"/review/activities/{item.public_code}/"
    for _ in range(2):  # made, then kept
        forms = FormsOnPage(hebei.get(url).content.decode())
        assert forms.nested == []
        assert forms.buttons["延期"] == f"{url}extend/"
        assert forms.buttons["推荐"] == f"{url}recommend/"


def test_a_bulk_approval_takes_what_waited_when_it_was_confirmed(organiser, roles, time_machine):
    from reviews import bulk

    time_machine.move_to(datetime(2020, 9, 20, 10, 0, tzinfo=SHANGHAI), tick=False)
    earlier = waiting(organiser, 0)
    job = BulkApproval.objects.create(requested_by=roles["unit"], unit=unit("河北省科协"), expected=1)
    later = waiting(organiser, 1)  # submitted (again) after the confirmation:
    Activity.objects.filter(pk=later.pk).update(waiting_since=datetime(2020, 9, 20, 10, 5, tzinfo=SHANGHAI))
    bulk.run(job)
    assert (job.total, job.approved) == (1, 1)
    assert Activity.objects.get(pk=earlier.pk).status == "approved"
    assert Activity.objects.get(pk=later.pk).status == "pending"  # the reviewer has not seen it yet


def test_a_bulk_approval_whose_reviewer_lost_the_role_does_nothing(organiser, roles):
    from reviews import bulk

    item = waiting(organiser, 0)
    job = BulkApproval.objects.create(requested_by=roles["unit"], unit=unit("河北省科协"), expected=1)
    services.revoke_roles(ReviewerRole.objects.filter(user=roles["unit"]), by=roles["superuser"])
    roles["unit"].__dict__.pop("_reviewer_unit", None)
    bulk.run(job)
    job.refresh_from_db()
    assert (job.state, job.error) == ("failed", "审核员授权已变更，未执行")
    assert Activity.objects.get(pk=item.pk).status == "pending"


def test_an_activity_back_to_draft_leaves_the_counts(hebei, organiser):
    item = waiting(organiser, 0)
    waiting(organiser, 1)
    assert "共 2 个" in text_of(hebei.get("/review/"))
    item.status, item.waiting_since = "draft", None  # as an admin would put it back
    item.save()
    assert "共 1 个" in text_of(hebei.get("/review/"))

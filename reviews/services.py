"""What a reviewer does besides deciding: 延期, 推荐, hiding supplement items, exports, roles."""

import logging
import tempfile
from datetime import date, datetime, timedelta
from datetime import timezone as dt_timezone
from pathlib import Path

import xlsxwriter
from django.conf import settings
from django.core.files import File
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError
from openpyxl import Workbook

from activities.deadlines import Window, format_day
from activities.models import Activity, DeadlineExtension
from activities.services import ActivityError
from directory.jurisdiction import SupervisorType
from directory.models import SupervisingUnit
from kepuri.spreadsheets import append_row
from notifications.services import Notice, enqueue, notify

from . import access
from .models import ExportJob, Recommendation, ReviewerRole

logger = logging.getLogger(__name__)

# --- roles ----------------------------------------------------------------------


def grant_role(*, user, unit: SupervisingUnit, by) -> ReviewerRole:
    """Make ``user`` a reviewer of ``unit`` (one unit at a time)."""
    try:
        with transaction.atomic():
            return ReviewerRole.objects.create(user=user, unit=unit, granted_by=by)
    except IntegrityError as exc:
        raise ActivityError("该用户已是某单位的审核员，请先撤销原授权") from exc


def revoke_roles(roles, *, by) -> int:
    return roles.filter(revoked_at__isnull=True).update(revoked_at=timezone.now(), revoked_by=by)


# --- 注销账号 (accounts.personal_data) ---------------------------------------------------


def account_deletion_refusal(user) -> str | None:
    """A reviewer does not delete their own account: an admin revokes the role first.

    Their decisions, 延期 and 推荐 stay in the records under the (then anonymised)
    account; revoked roles stay as the history of who reviewed for which unit.
    """
    if ReviewerRole.objects.filter(user=user, revoked_at__isnull=True).exists():
        return "审核员账号不能自行注销，请联系管理员撤销审核员授权后再注销"
    return None


def erase_exports(user) -> None:
    """A former reviewer's account is deleted: the exports only they could download go, files too."""
    jobs = ExportJob.objects.filter(requested_by=user)
    names = [name for name in jobs.values_list("file", flat=True) if name]
    jobs.delete()
    storage = ExportJob._meta.get_field("file").storage
    transaction.on_commit(lambda: [storage.delete(name) for name in names], robust=True)


# --- 延期 -------------------------------------------------------------------------


@transaction.atomic
def grant_extension(
    *, activity: Activity, by, window: Window, last_day: date, reason: str
) -> DeadlineExtension:
    """Give one activity a later last day for one window; the organiser is told."""
    reason = reason.strip()
    if not reason:
        raise ActivityError("请填写延期原因")
    # Locked, and its extensions read afresh: a second click waits for the first and is refused.
    activity = Activity.all_objects.select_for_update().get(pk=activity.pk)
    current = activity.window(Window(window)).last_day
    if last_day <= current:
        raise ActivityError(f"延期日期须晚于现在的截止日期（{format_day(current)}）")
    year_end = date(activity.campaign.year, 12, 31)
    if last_day > year_end:
        raise ActivityError(f"延期日期不能晚于活动年度的最后一天（{format_day(year_end)}）")
    extension = DeadlineExtension.objects.create(
        activity=activity, window=window, last_day=last_day, reason=reason, granted_by=by
    )
    label = Window(window).label
    notify(
        activity.owner,
        kind="extension",
        key=f"extension:{extension.pk}",
        title=f"{label}已延期",
        body=f"您发布的活动“{activity}”的{label}截止日期已延至{format_day(last_day)}。原因：{reason}",
        url=reverse("activities:user_center"),
        obj=activity,
        sms_params={"activity": activity.name[:20], "what": label, "date": format_day(last_day)},
    )
    return extension


# --- 推荐 -------------------------------------------------------------------------


def recommendation_target(unit: SupervisingUnit) -> SupervisingUnit | None:
    """The chain of SPEC §7: a city-level 科协 recommends to its 省科协, a 省科协 to 中国科协."""
    if unit.kind in (SupervisingUnit.Kind.CITY, SupervisingUnit.Kind.PROVINCIAL):
        return unit.parent
    return None


def recommend(*, activity: Activity, unit: SupervisingUnit, by, kind: str, note: str) -> Recommendation:
    target = recommendation_target(unit)
    if target is None:
        raise ActivityError("只有市级科协和省科协可以向上级推荐")
    if activity.status != Activity.Status.APPROVED:
        raise ActivityError("只能推荐审核通过的活动")
    if not note.strip():
        raise ActivityError("请填写推荐理由")
    try:
        with transaction.atomic():
            return Recommendation.objects.create(
                kind=kind,
                activity=activity,
                organization_name=activity.org_name if kind == Recommendation.Kind.ORGANIZATION else "",
                from_unit=unit,
                to_unit=target,
                note=note.strip(),
                by=by,
            )
    except IntegrityError as exc:
        raise ActivityError("已推荐过") from exc


# --- moderation -------------------------------------------------------------------


def set_hidden(item, *, by, hidden: bool, at: datetime | None = None) -> None:
    """Hide (or show again) a supplement photo or link; never deleted, who and when kept."""
    if hidden:
        item.hidden_at, item.hidden_by = at or timezone.now(), by
    else:
        item.hidden_at, item.hidden_by = None, None
    item.save(update_fields=["hidden_at", "hidden_by"])


# --- export -------------------------------------------------------------------------

EXPORT_COLUMNS = [
    ("public_code", "活动编号"),
    ("name", "活动名称"),
    ("status", "状态"),
    ("activity_type", "活动类型"),
    ("category__name", "活动类别"),
    ("region__parent__name", "省"),
    ("region__name", "市"),
    ("starts_at", "开始时间"),
    ("ends_at", "结束时间"),
    ("address", "活动地址"),
    ("url", "活动网址"),
    ("supervisor_type", "归口单位类型"),
    ("supervisor__name", "归口单位"),
    ("supervisor_name", "归口单位（其他）"),
    ("owner_unit__name", "隶属单位"),
    ("hosts", "主办单位"),
    ("organizers", "承办单位"),
    ("org_name", "填报单位"),
    ("org_contact_name", "填报人"),
    # In full: reviewers call the organiser about the report; the file is private to whoever asked.
    ("org_contact_phone", "填报人电话"),
    ("first_submitted_at", "首次提交时间"),
    ("decided_at", "审核时间"),
    ("rejection_reason", "未通过原因"),
    ("is_public", "在云上科普日展示"),
    ("supplemented_at", "补充信息提交时间"),
    ("summarized_at", "总结提交时间"),
    ("summary__participants", "活动参与人数"),
    # The audience flush's totals (ActivityReach, one row per activity that has any): one LEFT JOIN.
    ("reach__views", "浏览量"),
    ("reach__shares", "分享数"),
]
# Asia/Shanghai has kept +08:00, with no summer time, since 1991: one fixed offset, no zone rules per cell.
BEIJING_TIME = dt_timezone(timedelta(hours=8))
CHUNK = 2000


def _label(labels: dict):
    return lambda value: labels.get(value, value) or None


def _when(value: datetime) -> str | None:
    return value.astimezone(BEIJING_TIME).strftime("%Y-%m-%d %H:%M") if value is not None else None


def _joined(value: list | None) -> str | None:
    if not value:
        return None
    return "，".join(map(str, value))


def _yes_no(value: bool | None) -> str | None:
    return None if value is None else "是" if value else "否"


def _count(value: int | None) -> int:
    """A count that may have no row yet: 0 then, always a number."""
    return value or 0


def _as_is(value):
    """Text and numbers as they are; None or "" is an empty cell (anything else is written as text)."""
    if isinstance(value, datetime):
        return _when(value)
    if isinstance(value, list):
        return _joined(value)
    if isinstance(value, bool):
        return _yes_no(value)
    return None if value == "" else value


CELLS = {
    "status": _label(dict(Activity.Status.choices)),
    "activity_type": _label(dict(Activity.Type.choices)),
    "supervisor_type": _label(dict(SupervisorType.choices)),
    "starts_at": _when,
    "ends_at": _when,
    "first_submitted_at": _when,
    "decided_at": _when,
    "supplemented_at": _when,
    "summarized_at": _when,
    "hosts": _joined,
    "organizers": _joined,
    "is_public": _yes_no,
    "reach__views": _count,
    "reach__shares": _count,
}


def _cell(field: str, value):
    """How one value of ``field`` shows in the export: text (str), a number, or None for no cell."""
    return CELLS.get(field, _as_is)(value)


QUEUE_DOWN = "任务队列暂时不可用，请稍后重新导出"


def queue_job(job, task, *, refusal: str = QUEUE_DOWN) -> None:
    """Send ``job`` to ``task`` once committed; if the task queue cannot be reached (Redis down),
    the job fails at once with ``refusal``, rather than waiting forever as 排队中."""
    model = type(job)

    def send():
        try:
            task.delay(str(job.pk))
        except OperationalError as exc:
            logger.error("%s %s not queued: %s", model.__name__, job.pk, exc)
            model.objects.filter(pk=job.pk).update(
                state=model.State.FAILED, error=refusal, finished_at=timezone.now()
            )

    transaction.on_commit(send)


def start_export(*, user, unit: SupervisingUnit) -> ExportJob:
    """A job for an export of ``unit``'s read set, queued for ``tasks.build_export``."""
    from .tasks import build_export as build_task  # the task module imports this one

    job = ExportJob.objects.create(requested_by=user, unit=unit)
    queue_job(job, build_task)
    return job


def build_export(job: ExportJob) -> ExportJob:
    """Write the XLSX row by row, so that memory stays flat whatever the size.

    XlsxWriter in constant_memory mode writes each row to a temporary file as soon
    as the next one starts (strings inline, no table of shared strings) and then
    zips it. Every text is written as a string cell (``write_string``), never read
    as a formula, a link or a number: what an organiser typed as ``=1+1``,
    ``+86…`` or ``@SUM(A1)`` is exported as that text.
    """
    fields = [field for field, _ in EXPORT_COLUMNS]
    cells = list(enumerate(CELLS.get(field, _as_is) for field in fields))
    rows = access.read_set(job.unit).order_by("pk").values_list(*fields)
    ExportJob.objects.filter(pk=job.pk).update(state=ExportJob.State.RUNNING, total=rows.count())
    done = 0
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.xlsx"
        workbook = xlsxwriter.Workbook(
            str(path),
            {
                "constant_memory": True,
                "tmpdir": folder,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
            },
        )
        sheet = workbook.add_worksheet("活动")
        write_string, write_number = sheet.write_string, sheet.write_number
        for column, (_, label) in enumerate(EXPORT_COLUMNS):
            write_string(0, column, label)
        for done, row in enumerate(rows.iterator(chunk_size=CHUNK), start=1):
            for column, cell in cells:
                value = cell(row[column])
                if value.__class__ is str:
                    write_string(done, column, value)
                elif value is not None:
                    write_number(done, column, value)
            if done % CHUNK == 0:
                ExportJob.objects.filter(pk=job.pk).update(done=done)
        workbook.close()
        with path.open("rb") as file:
            job.file.save(f"活动导出-{timezone.localtime():%Y%m%d-%H%M%S}.xlsx", File(file), save=False)
    job.state, job.done, job.finished_at = ExportJob.State.DONE, done, timezone.now()
    job.total = done
    job.save(update_fields=["file", "state", "done", "total", "finished_at"])
    return job


def recommendations_workbook(recommendations) -> bytes:
    """The list of recommendations received, as an XLSX file (a few hundred rows at most), text as text."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("推荐名单")
    append_row(sheet, ["推荐类型", "活动名称", "活动编号", "单位名称", "推荐单位", "推荐理由", "推荐时间"])
    for item in recommendations:
        append_row(
            sheet,
            [
                item.get_kind_display(),
                item.activity.name,
                item.activity.public_code,
                item.organization_name or item.activity.org_name,
                item.from_unit.name,
                item.note,
                timezone.localtime(item.at).strftime("%Y-%m-%d %H:%M"),
            ],
        )
    with tempfile.TemporaryFile() as buffer:
        workbook.save(buffer)
        buffer.seek(0)
        return buffer.read()


# --- the reviewers' daily digest -------------------------------------------------------------


def digest_notices(today: date):
    """One notice per reviewer with activities waiting in their decide set: the count."""
    roles = ReviewerRole.objects.filter(revoked_at__isnull=True).select_related("unit").order_by("pk")
    for role in roles.iterator(chunk_size=500):
        waiting = access.waiting(access.decide_set(role.unit)).count()
        if waiting:
            yield Notice(
                recipient_id=role.user_id,
                kind="review_digest",
                key=f"digest:{role.user_id}:{today.isoformat()}",
                title=f"您有 {waiting} 个活动待审核",
                body=f"{role.unit.short_name or role.unit.name}有 {waiting} 个活动（含修改）等待您审核："
                f"{settings.SITE_URL.rstrip('/')}{reverse('reviews:queue')}",
                url=reverse("reviews:queue"),
                sms_template="review_digest",
                sms_params={"count": str(waiting), "unit": role.unit.short_name or role.unit.name},
            )


def send_review_digests(today: date | None = None) -> int:
    today = today or timezone.localdate()
    return enqueue(digest_notices(today))

"""Activities: the report a client sends, the organiser's own activity, the public's view of one."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from activities import rules
from activities.deadlines import Window
from activities.models import Activity, ActivityChange
from activities.reports import Report
from api import inputs
from api.inputs import LocalDateTime, files, flag, text, texts
from kepuri.http import absolute

from .reference import WindowOut, window


def file_url(field) -> str | None:
    return absolute(field.url) if field else None


# --- what a client sends ------------------------------------------------------------------------


class ReportIn(serializers.Serializer):
    """活动填报 (SPEC §5 step 2). 暂存 (``submit`` false) needs only ``name``; 保存并下一步 needs all
    that the type asks for. Sent as JSON, or as multipart with the poster file."""

    submit = flag("false 暂存为草稿；true 保存并提交审核（已通过的活动提交修改）")
    creation_token = serializers.UUIDField(
        required=False, allow_null=True, default=None, help_text="新建时可选：同一令牌重复提交只生成一个活动"
    )
    activity_type = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="online 线上 · offline 线下 · hybrid 线上线下"
    )
    name = text("活动名称（100字以内）")
    starts_at = text("活动开始时间，ISO 8601，如 2020-09-15T09:30:00+08:00")
    ends_at = text("活动结束时间，ISO 8601")
    province = text("所在地区（省）的区划代码；不填则取城市所在的省")
    region = text("所在地区（市）的区划代码，如 130600")
    category = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="活动类别 id"
    )
    description = text("活动简介（2000字以内）")
    address = text("活动地址（线下、线上线下）")
    url = text("活动网址（线上、线上线下），http:// 或 https:// 开头")
    supervisor_type = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="归口单位类型：ministry 部委 · society 全国学会 · provincial 省科协 · city 市科协 · "
        "other 其他",
    )
    supervisor = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="归口单位 id（由 /directory/units/ 检索）"
    )
    supervisor_name = text("归口单位名称（类型为其他时填写全称）")
    hosts = texts("主办单位，每项一个单位")
    organizers = texts("承办单位（选填）")
    is_public = flag("是否在云上科普日展示", default=True)
    poster = serializers.FileField(
        required=False, allow_null=True, default=None, help_text="活动宣传图（multipart）"
    )
    poster_id = serializers.UUIDField(
        required=False, allow_null=True, default=None, help_text="或：先上传到 /my/posters/ 的宣传图 id"
    )

    def form_data(self) -> dict:
        """The values as the site's form (``ReportForm``) takes them."""
        values = self.validated_data
        data = {
            "activity_type": values["activity_type"],
            "name": values["name"],
            "starts_at": values["starts_at"],
            "ends_at": values["ends_at"],
            "province": values["province"] or _province_of(values["region"]),
            "region": values["region"],
            "category": values["category"],
            "description": values["description"],
            "address": values["address"],
            "url": values["url"],
            "supervisor_type": values["supervisor_type"],
            "supervisor": values["supervisor"],
            "supervisor_name": values["supervisor_name"],
            "hosts": "，".join(values["hosts"]),
            "organizers": "，".join(values["organizers"]),
            "is_public": "1" if values["is_public"] else "0",
            "staged_poster": values["poster_id"],
        }
        if not values["submit"]:
            data["save_draft"] = "1"
        return data


def _province_of(code: str) -> str:
    from directory.models import Region

    city = Region.objects.cities().filter(code=code[:6]).select_related("parent").first() if code else None
    return city.parent.code if city else ""


class SupplementIn(serializers.Serializer):
    photos = files("活动图片（multipart，最多9张，每张不超过5 MB）")
    video_links = texts("视频链接")
    news_links = texts("新闻报道链接")


class SummaryIn(serializers.Serializer):
    text = inputs.text("活动总结（5000字以内）")
    participants = inputs.text("活动参与人数（整数）")
    attachments = files("附件（multipart，最多5个图片或 PDF，每个不超过10 MB）")


class PosterIn(serializers.Serializer):
    poster = serializers.FileField(required=False, help_text="活动宣传图：JPEG、PNG 或 WebP，不超过 5 MB")


class StagedPosterOut(serializers.Serializer):
    id = serializers.UUIDField(help_text="填报时作为 poster_id 使用（一天内有效）")
    list = serializers.URLField()
    page = serializers.URLField()


# --- what a client reads ------------------------------------------------------------------------


class RegionOut(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    province = serializers.SerializerMethodField()

    @extend_schema_field(
        {"type": "object", "properties": {"code": {"type": "string"}, "name": {"type": "string"}}}
    )
    def get_province(self, region):
        return {"code": region.parent.code, "name": region.parent.name} if region.parent_id else None


class NamedOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class PosterOut(serializers.Serializer):
    original = serializers.URLField()
    list = serializers.URLField(help_text="列表用（640×400 以内）")
    page = serializers.URLField(help_text="详情页用（1280×1280 以内）")


def poster(target) -> dict | None:
    if not target.poster:
        return None
    return {
        "original": file_url(target.poster),
        "list": file_url(target.poster_list),
        "page": file_url(target.poster_page),
    }


class _ActivityFacts(serializers.Serializer):
    """What the public and the organiser both read of an activity's report."""

    code = serializers.CharField(
        source="public_code", help_text="公开编号，也是二维码地址 /a/<code>/ 的一部分"
    )
    name = serializers.CharField()
    campaign = serializers.IntegerField(source="campaign.year", help_text="科普日年度")
    label = serializers.CharField(source="campaign.label", help_text="活动标注，如“2020年全国科普日活动”")
    activity_type = serializers.CharField(help_text="online · offline · hybrid；草稿可为空")
    starts_at = LocalDateTime(allow_null=True)
    ends_at = LocalDateTime(allow_null=True)
    region = RegionOut(allow_null=True)
    category = NamedOut(allow_null=True)
    description = serializers.CharField()
    address = serializers.CharField()
    url = serializers.CharField()
    supervisor_type = serializers.CharField()
    supervisor = serializers.CharField(source="supervisor_display", help_text="归口单位名称")
    hosts = serializers.ListField(child=serializers.CharField())
    organizers = serializers.ListField(child=serializers.CharField())
    poster = serializers.SerializerMethodField()

    @extend_schema_field(PosterOut(allow_null=True))
    def get_poster(self, activity):
        return poster(activity)


class CountsOut(serializers.Serializer):
    checkins = serializers.IntegerField(source="checkin_count")
    likes = serializers.IntegerField(source="like_count")
    favorites = serializers.IntegerField(source="favorite_count")
    comments = serializers.IntegerField(source="comment_count")


class PermissionOut(serializers.Serializer):
    allowed = serializers.BooleanField()
    reason = serializers.CharField(help_text="不允许时的原因（与用户中心灰色按钮的提示相同）")
    code = serializers.CharField(help_text="不允许时的机器代码")


class ChangeOut(serializers.Serializer):
    status = serializers.CharField(help_text="pending 待审核 · approved 已通过 · rejected 未通过")
    submitted_at = LocalDateTime()
    decided_at = LocalDateTime(allow_null=True)
    reason = serializers.CharField(help_text="未通过的原因")
    report = serializers.DictField(
        required=False, help_text="修改后的活动信息（字段同 ReportIn；只在单个活动的详情中给出）"
    )


def change(item: ActivityChange | None, *, with_report: bool) -> dict | None:
    if item is None:
        return None
    answer = {
        "status": item.status,
        "submitted_at": item.submitted_at,
        "decided_at": item.decided_at,
        "reason": item.rejection_reason,
    }
    if not with_report:
        return answer
    return answer | {"report": _report_input(Report.from_json(item.data))}


def _report_input(report: Report) -> dict:
    """A report as a client sends it (``ReportIn``'s fields)."""
    return {
        "activity_type": report.activity_type,
        "name": report.name,
        "starts_at": report.starts_at.isoformat() if report.starts_at else "",
        "ends_at": report.ends_at.isoformat() if report.ends_at else "",
        "region": report.region.code if report.region else "",
        "category": report.category.pk if report.category else None,
        "description": report.description,
        "address": report.address,
        "url": report.url,
        "supervisor_type": report.supervisor_type,
        "supervisor": report.supervisor.pk if report.supervisor else None,
        "supervisor_name": report.supervisor_name,
        "hosts": report.hosts,
        "organizers": report.organizers,
        "is_public": report.is_public,
    }


def report_as_input(activity: Activity) -> dict:
    """What 编辑活动 starts from, as the site's form is filled: the activity's report, or the
    rejected change of an approved one (to correct it)."""
    latest = activity.latest_change if activity.status == Activity.Status.APPROVED else None
    if latest is not None and latest.status == ActivityChange.Status.REJECTED:
        return _report_input(Report.from_json(latest.data))
    return _report_input(Report.of(activity))


OPERATIONS = {"edit": "can_edit", "supplement": "can_supplement", "summarize": "can_summarize",
              "qr": "can_get_qr", "delete": "can_delete"}  # fmt: skip


class OperationsOut(serializers.Serializer):
    can_edit = PermissionOut(help_text="编辑活动")
    can_supplement = PermissionOut(help_text="补充活动信息")
    can_summarize = PermissionOut(help_text="编辑总结")
    can_get_qr = PermissionOut(help_text="二维码")
    can_delete = PermissionOut(help_text="删除")


class QrOut(serializers.Serializer):
    png = serializers.URLField()
    svg = serializers.URLField()


class MyActivity(_ActivityFacts):
    """An organiser's own activity, as 用户中心 shows it: its state, its windows, what may be done now."""

    status = serializers.ChoiceField(choices=Activity.Status.choices)
    status_display = serializers.CharField(source="get_status_display")
    is_public = serializers.BooleanField()
    public_url = serializers.SerializerMethodField(help_text="公开页（二维码的地址）")
    rejection_reason = serializers.CharField()
    submitted_at = LocalDateTime(allow_null=True)
    decided_at = LocalDateTime(allow_null=True)
    supplemented_at = LocalDateTime(allow_null=True)
    summarized_at = LocalDateTime(allow_null=True)
    change = serializers.SerializerMethodField(help_text="已通过活动的最近一次修改（待审核或未通过）")
    windows = serializers.SerializerMethodField()
    operations = serializers.SerializerMethodField()
    qr = serializers.SerializerMethodField()
    counts = CountsOut(source="*")

    def get_public_url(self, activity) -> str:
        return absolute(reverse("public:activity", args=[activity.public_code]))

    @extend_schema_field(ChangeOut(allow_null=True))
    def get_change(self, activity):
        if activity.status != Activity.Status.APPROVED:
            return None
        latest = activity.latest_change
        if latest is None or latest.status == ActivityChange.Status.APPROVED:
            return None
        return change(latest, with_report=self.context.get("detail", False))

    @extend_schema_field(WindowOut(many=True))
    def get_windows(self, activity):
        at = self.context.get("at")
        return [window(activity.window(w, at)) for w in Window]

    @extend_schema_field(OperationsOut)
    def get_operations(self, activity):
        found = rules.operations(activity, self.context["user"], self.context.get("at"))
        return {
            OPERATIONS[name]: {"allowed": p.allowed, "reason": p.reason, "code": p.code}
            for name, p in found.items()
        }

    @extend_schema_field(QrOut(allow_null=True))
    def get_qr(self, activity):
        if activity.status == Activity.Status.DRAFT:
            return None
        code = activity.public_code
        return {
            "png": absolute(reverse("api:my_activity_qr", args=[code, "png"])),
            "svg": absolute(reverse("api:my_activity_qr", args=[code, "svg"])),
        }


class PhotoOut(serializers.Serializer):
    image = serializers.SerializerMethodField()
    thumbnail = serializers.SerializerMethodField()

    def get_image(self, photo) -> str:
        return file_url(photo.image)

    def get_thumbnail(self, photo) -> str:
        return file_url(photo.image_list)


class LinkOut(serializers.Serializer):
    kind = serializers.CharField(help_text="video 视频链接 · news 新闻报道链接")
    url = serializers.CharField()


class PublicActivity(_ActivityFacts):
    """An approved activity as the public page shows it (its approved version while a change waits)."""

    org_name = serializers.CharField(help_text="填报单位")
    public_url = serializers.SerializerMethodField()
    checkin = serializers.SerializerMethodField(help_text="打卡时间：活动开始至最后一天结束")
    photos = PhotoOut(many=True)
    links = LinkOut(many=True)
    counts = CountsOut(source="*")

    def get_public_url(self, activity) -> str:
        return absolute(reverse("public:activity", args=[activity.public_code]))

    @extend_schema_field(
        {
            "type": "object",
            "properties": {
                "opens_at": {"type": "string", "format": "date-time"},
                "closes_at": {"type": "string", "format": "date-time"},
            },
        }
    )
    def get_checkin(self, activity):
        from public.rules import checkin_window

        state = checkin_window(activity)
        return {"opens_at": state.opens_at, "closes_at": state.closes_at}


class PublicActivityCard(serializers.Serializer):
    """A card of the public list."""

    code = serializers.CharField(source="public_code")
    name = serializers.CharField()
    org_name = serializers.CharField()
    label = serializers.CharField(source="campaign.label")
    activity_type = serializers.CharField()
    starts_at = LocalDateTime()
    ends_at = LocalDateTime()
    region = serializers.CharField(source="region.name")
    province = serializers.CharField(source="region.parent.name")
    category = serializers.CharField(source="category.name", allow_null=True)
    address = serializers.CharField()
    url = serializers.CharField()
    poster = serializers.SerializerMethodField()
    counts = serializers.SerializerMethodField()

    def get_poster(self, activity) -> str | None:
        return file_url(activity.poster_list)

    @extend_schema_field(
        {"type": "object", "properties": {k: {"type": "integer"} for k in ("likes", "checkins", "comments")}}
    )
    def get_counts(self, activity):
        return {
            "likes": activity.like_count,
            "checkins": activity.checkin_count,
            "comments": activity.comment_count,
        }


class CommentOut(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()
    author = serializers.CharField(source="author.masked_phone", help_text="作者（手机号已隐去中间四位）")
    created_at = LocalDateTime()


class CommentIn(serializers.Serializer):
    text = inputs.text("评论内容（500字以内）")


class ActionOut(serializers.Serializer):
    active = serializers.BooleanField(help_text="操作后的状态：已点赞 / 已收藏 / 已打卡")
    detail = serializers.CharField()
    counts = CountsOut()


class ReaderStateOut(serializers.Serializer):
    checked_in = serializers.BooleanField()
    liked = serializers.BooleanField()
    favorited = serializers.BooleanField()
    counts = CountsOut()

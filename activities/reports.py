"""The report of SPEC §5 step 2 as a value: parsed from the form, stored on an activity or a change.

``Report.problems`` is the one definition of a complete report: the form asks it
to show every message at once, and the submission service asks it again so that
no path submits an incomplete one.
"""

import re
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime

from django.core.exceptions import ValidationError
from django.utils.dateparse import parse_datetime

from directory import jurisdiction
from directory.jurisdiction import SupervisorType
from directory.models import Region, SupervisingUnit

from .deadlines import format_day
from .models import Activity, ActivityCategory

_NAME_SEPARATORS = re.compile(r"[，,、]")

REQUIRED_MESSAGES = {
    "activity_type": "请选择活动类型",
    "name": "请填写活动名称",
    "starts_at": "请填写活动开始时间",
    "ends_at": "请填写活动结束时间",
    "region": "请选择所在城市",
    "category": "请选择活动类别",
    "description": "请填写活动简介",
    "address": "线下活动须填写活动地址",
    "url": "如开展网络活动须提供活动网址信息",
    "supervisor_type": "请选择归口单位类型",
    "hosts": "请填写主办单位",
    "poster": "请上传活动宣传图",
}


ALWAYS_REQUIRED = (
    "activity_type",
    "name",
    "starts_at",
    "ends_at",
    "region",
    "category",
    "description",
    "supervisor_type",
    "hosts",
)


def split_names(text: str) -> list[str]:
    """主办单位 / 承办单位: names separated by "，" (or "," or "、"), trimmed, empty parts dropped."""
    names = []
    for part in _NAME_SEPARATORS.split(text or ""):
        part = part.strip()
        if part and part not in names:
            names.append(part)
    return names


def join_names(names: list[str]) -> str:
    return "，".join(names)


@dataclass
class Report:
    activity_type: str = ""
    name: str = ""
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    region: Region | None = None
    category: ActivityCategory | None = None
    description: str = ""
    address: str = ""
    url: str = ""
    supervisor_type: str = ""
    supervisor: SupervisingUnit | None = None
    supervisor_name: str = ""
    hosts: list[str] = field(default_factory=list)
    organizers: list[str] = field(default_factory=list)
    is_public: bool = True

    FOREIGN_KEYS = {"region": Region, "category": ActivityCategory, "supervisor": SupervisingUnit}

    def __post_init__(self):
        """Keep only what the type and the 归口 choice use: an online activity has no address."""
        if self.activity_type == Activity.Type.ONLINE:
            self.address = ""
        if self.activity_type == Activity.Type.OFFLINE:
            self.url = ""
        if self.supervisor_type == SupervisorType.OTHER:
            self.supervisor = None
        elif self.supervisor_type:
            self.supervisor_name = ""

    @classmethod
    def of(cls, activity: Activity) -> "Report":
        return cls(**{f.name: getattr(activity, f.name) for f in fields(cls)})

    def apply_to(self, activity: Activity) -> None:
        for f in fields(self):
            setattr(activity, f.name, getattr(self, f.name))

    # A change waits as JSON until it is approved.
    def to_json(self) -> dict:
        data = asdict(self)
        for name in self.FOREIGN_KEYS:
            data[name] = getattr(self, name).pk if getattr(self, name) else None
        for name in ("starts_at", "ends_at"):
            data[name] = data[name].isoformat() if data[name] else None
        return data

    @classmethod
    def from_json(cls, data: dict) -> "Report":
        values = dict(data)
        for name, model in cls.FOREIGN_KEYS.items():
            values[name] = model.objects.filter(pk=values.get(name)).first() if values.get(name) else None
        for name in ("starts_at", "ends_at"):
            values[name] = parse_datetime(values[name]) if values.get(name) else None
        return cls(**{f.name: values[f.name] for f in fields(cls) if f.name in values})

    @property
    def needs_address(self) -> bool:
        return self.activity_type in (Activity.Type.OFFLINE, Activity.Type.HYBRID)

    @property
    def needs_url(self) -> bool:
        return self.activity_type in (Activity.Type.ONLINE, Activity.Type.HYBRID)

    def problems(self, *, campaign, has_poster: bool) -> dict[str, str]:
        """What stops this report from being submitted, by field (empty when it is complete)."""
        found = {}
        for name in ALWAYS_REQUIRED:
            if not getattr(self, name):
                found[name] = REQUIRED_MESSAGES[name]
        if self.needs_address and not self.address.strip():
            found["address"] = REQUIRED_MESSAGES["address"]
        if self.needs_url and not self.url.strip():
            found["url"] = REQUIRED_MESSAGES["url"]
        if not has_poster:
            found["poster"] = REQUIRED_MESSAGES["poster"]
        found.update(self.time_problems(campaign))
        if self.category and self.category.campaign_id != campaign.pk:
            found["category"] = "请选择本年度的活动类别"
        if self.supervisor_type and "supervisor_type" not in found:
            try:
                jurisdiction.validate_supervisor(
                    supervisor_type=self.supervisor_type,
                    unit=self.supervisor,
                    region=self.region,
                    other_name=self.supervisor_name,
                )
            except ValidationError as error:
                found.update({key: messages[0] for key, messages in error.message_dict.items()})
        return found

    def time_problems(self, campaign) -> dict[str, str]:
        """活动时间: start before end, both within the campaign (report opening … summary deadline)."""
        if not (self.starts_at and self.ends_at):
            return {}
        if self.starts_at >= self.ends_at:
            return {"ends_at": "活动结束时间须晚于开始时间"}
        if self.starts_at < campaign.opens_at or self.ends_at > campaign.ends_at:
            last = format_day(campaign.summary_closes)
            return {"starts_at": f"活动时间须在{format_day(campaign.report_opens)}至{last}之间"}
        return {}

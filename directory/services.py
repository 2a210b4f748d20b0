"""Writing the unit directory: add, rename, retire, restore, and import from CSV."""

import csv
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from . import selectors
from .models import Region, SupervisingUnit
from .search import initials

Kind = SupervisingUnit.Kind

CSV_COLUMNS = ["name", "short_name", "kind", "parent", "region_code", "retired"]
KIND_BY_WORD = {
    **{kind.value: kind for kind in Kind if kind != Kind.CAST},
    **{kind.label: kind for kind in Kind if kind != Kind.CAST},
}
YES = {"是", "1", "yes", "y", "true", "停用"}


def save_unit(unit: SupervisingUnit) -> SupervisingUnit:
    """Validate and save ``unit``, refreshing its pinyin initials (the admin saves through here)."""
    unit.initials = initials(unit.short_name or unit.name)
    unit.full_initials = initials(unit.name)
    unit.full_clean()
    unit.save()
    transaction.on_commit(selectors.forget_units)
    return unit


def retire_units(units) -> int:
    """Stop offering ``units`` for new activities; what they supervise stays theirs."""
    transaction.on_commit(selectors.forget_units)
    return units.filter(retired_at__isnull=True).update(retired_at=timezone.now())


def restore_units(units) -> int:
    transaction.on_commit(selectors.forget_units)
    return units.filter(retired_at__isnull=False).update(retired_at=None)


# --- CSV import ----------------------------------------------------------------


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def decode_csv(raw: bytes) -> str:
    """UTF-8 (with or without the BOM that Excel writes), else GB18030 (Excel on Chinese Windows)."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("gb18030")


def _default_parent(kind: Kind, region: Region | None) -> SupervisingUnit | None:
    if kind == Kind.CITY and region is not None and region.parent_id:
        return SupervisingUnit.objects.filter(kind=Kind.PROVINCIAL, region_id=region.parent_id).first()
    return SupervisingUnit.objects.filter(kind=Kind.CAST).first()


def _unit_from_row(row: dict[str, str]) -> SupervisingUnit:
    """The unit a row describes, new or existing (matched by full name), not yet saved."""
    name = row.get("name", "").strip()
    if not name:
        raise ValidationError("缺少单位全称（name）")
    kind = KIND_BY_WORD.get(row.get("kind", "").strip())
    if kind is None:
        raise ValidationError("单位类型（kind）应为 部委、全国学会、省科协 或 市科协")
    region = None
    if code := row.get("region_code", "").strip():
        region = Region.objects.filter(code=code).select_related("parent").first()
        if region is None:
            raise ValidationError(f"找不到地区代码 {code}")
    if parent_name := row.get("parent", "").strip():
        parent = SupervisingUnit.objects.filter(name=parent_name).first()
        if parent is None:
            raise ValidationError(f"找不到上级单位“{parent_name}”（须与已有单位的全称一致）")
    else:
        parent = _default_parent(kind, region)

    unit = SupervisingUnit.objects.filter(name=name).first() or SupervisingUnit(name=name)
    if unit.pk and unit.kind == Kind.CAST:
        raise ValidationError("中国科协不能通过导入修改")
    unit.short_name = row.get("short_name", "").strip()
    unit.kind, unit.parent, unit.region = kind, parent, region
    retired = row.get("retired", "").strip().lower() in YES
    if retired and unit.retired_at is None:
        unit.retired_at = timezone.now()
    elif not retired:
        unit.retired_at = None
    return unit


def _messages(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return "；".join(message for messages in error.message_dict.values() for message in messages)
    return "；".join(error.messages)


@transaction.atomic
def import_units_csv(text: str, *, dry_run: bool = False) -> ImportReport:
    """Add or update units from CSV text (format in the README); all rows or none.

    A row whose full name exists updates that unit; any error leaves the
    directory as it was and is reported with its line number.
    """
    report = ImportReport()
    reader = csv.DictReader(io.StringIO(text))
    missing = {"name", "kind"} - set(reader.fieldnames or [])
    if missing:
        report.errors.append(f"第1行：缺少列 {', '.join(sorted(missing))}（应有 {','.join(CSV_COLUMNS)}）")
        return report
    seen = set()
    for line, row in enumerate(reader, start=2):
        if not any((value or "").strip() for value in row.values()):
            continue
        try:
            unit = _unit_from_row(row)
            if unit.name in seen:
                raise ValidationError(f"“{unit.name}”在文件中出现了不止一次")
            seen.add(unit.name)
            (report.updated if unit.pk else report.created).append(unit.name)
            save_unit(unit)
        except ValidationError as error:
            report.errors.append(f"第{line}行：{_messages(error)}")
    if dry_run or report.errors:
        transaction.set_rollback(True)
    return report

"""Load the 2020 regions and the 科协 tree with the 部委 of the seed.

Regions come from data/regions-2020.csv (derived from the official codes by
scripts/derive_regions.py). One 省科协 per province-level entry, one city-level
科协 per city-level choice, named after it; the 部委 are the co-organisers named
in the 2020 notice. National societies are not loaded: admins import them from
a CSV (see the README).
"""

import csv
from pathlib import Path

from django.db import migrations
from pypinyin import Style, lazy_pinyin

DATA = Path(__file__).resolve().parent.parent / "data" / "regions-2020.csv"
MINISTRIES = [
    ("中央宣传部", "中央宣传部"),
    ("教育部", "教育部"),
    ("科学技术部", "科技部"),
    ("水利部", "水利部"),
    ("农业农村部", "农业农村部"),
    ("国家卫生健康委员会", "国家卫生健康委"),
    ("应急管理部", "应急管理部"),
]


def initials(text):
    letters = lazy_pinyin(text, style=Style.FIRST_LETTER, errors=lambda chars: list(chars))
    return "".join(part for part in letters if part.isalnum()).lower()


def unit(model, name, short_name, kind, parent=None, region=None):
    return model(
        name=name,
        short_name=short_name,
        kind=kind,
        parent=parent,
        region=region,
        initials=initials(short_name),
        full_initials=initials(name),
    )


def load(apps, schema_editor):
    Region = apps.get_model("directory", "Region")
    SupervisingUnit = apps.get_model("directory", "SupervisingUnit")

    with DATA.open(encoding="utf-8") as source:
        rows = list(csv.DictReader(line for line in source if not line.startswith("#")))
    provinces = {
        row["code"]: Region.objects.create(code=row["code"], name=row["name"], level="province")
        for row in rows
        if row["level"] == "province"
    }
    cities = Region.objects.bulk_create(
        Region(code=row["code"], name=row["name"], level="city", parent=provinces[row["parent_code"]])
        for row in rows
        if row["level"] == "city"
    )

    root = unit(SupervisingUnit, "中国科学技术协会", "中国科协", "cast")
    root.save()
    SupervisingUnit.objects.bulk_create(
        unit(SupervisingUnit, name, short_name, "ministry", parent=root) for name, short_name in MINISTRIES
    )
    provincial = {}
    for code, region in provinces.items():
        provincial[code] = unit(
            SupervisingUnit, f"{region.name}科学技术协会", f"{region.name}科协", "provincial", root, region
        )
        provincial[code].save()
    SupervisingUnit.objects.bulk_create(
        unit(
            SupervisingUnit,
            f"{city.name}科学技术协会",
            f"{city.name}科协",
            "city",
            parent=provincial[city.parent.code],
            region=city,
        )
        for city in cities
    )


def unload(apps, schema_editor):
    SupervisingUnit = apps.get_model("directory", "SupervisingUnit")
    Region = apps.get_model("directory", "Region")
    for kind in ("city", "provincial", "ministry", "society", "cast"):  # children before parents
        SupervisingUnit.objects.filter(kind=kind).delete()
    Region.objects.filter(level="city").delete()
    Region.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]

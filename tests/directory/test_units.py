"""The 归口单位 tree: loaded by migration, shaped by kind, extended by CSV import."""

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import IntegrityError

from directory import services
from directory.models import Region, SupervisingUnit
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
Kind = SupervisingUnit.Kind


def unit(short_name):
    return SupervisingUnit.objects.get(short_name=short_name)


def test_the_tree_has_1_plus_32_plus_449_kexie():
    assert SupervisingUnit.objects.filter(kind=Kind.CAST).count() == 1
    assert SupervisingUnit.objects.filter(kind=Kind.PROVINCIAL).count() == 32
    assert SupervisingUnit.objects.filter(kind=Kind.CITY).count() == 449
    assert SupervisingUnit.objects.filter(kind__in=[Kind.CAST, Kind.PROVINCIAL, Kind.CITY]).count() == 482


def test_names_and_parents():
    root = unit("中国科协")
    assert root.name == "中国科学技术协会" and root.parent is None
    hebei = unit("河北省科协")
    assert (hebei.name, hebei.parent, hebei.region.code) == ("河北省科学技术协会", root, "130000")
    assert unit("保定市科协").parent == hebei
    assert unit("海淀区科协").parent == unit("北京市科协")
    bingtuan = unit("新疆生产建设兵团科协")
    assert bingtuan.name == "新疆生产建设兵团科学技术协会"
    assert unit("石河子市科协").parent == bingtuan
    assert bingtuan.children.count() == 10
    assert unit("新疆维吾尔自治区科协").children.count() == 14


def test_the_ministries_of_the_seed_hang_under_cast():
    ministries = SupervisingUnit.objects.filter(kind=Kind.MINISTRY)
    assert sorted(ministries.values_list("short_name", flat=True)) == sorted(
        ["中央宣传部", "教育部", "科技部", "水利部", "农业农村部", "国家卫生健康委", "应急管理部"]
    )
    assert set(ministries.values_list("parent__short_name", flat=True)) == {"中国科协"}
    assert not SupervisingUnit.objects.filter(kind=Kind.SOCIETY).exists()  # imported by admins


def test_pinyin_initials_are_stored():
    assert unit("保定市科协").initials == "bdskx"
    assert unit("重庆市科协").initials == "cqskx"


@pytest.mark.parametrize(
    ("kind", "parent", "region", "field"),
    [
        (Kind.CITY, "山西省科协", "130600", "parent"),  # 保定 is in 河北
        (Kind.PROVINCIAL, "中国科协", "130600", "region"),  # a city is no province
        (Kind.SOCIETY, "中国科协", "130000", "region"),  # societies have no region
        (Kind.SOCIETY, "河北省科协", None, "parent"),
    ],
)
def test_the_shape_of_the_tree_is_checked(kind, parent, region, field):
    candidate = SupervisingUnit(
        name="测试单位",
        kind=kind,
        parent=unit(parent),
        region=Region.objects.filter(code=region).first(),
    )
    with pytest.raises(ValidationError) as error:
        services.save_unit(candidate)
    assert field in error.value.message_dict


def test_the_database_allows_one_provincial_kexie_per_province():
    hebei = Region.objects.get(code="130000")
    with pytest.raises(IntegrityError):
        SupervisingUnit.objects.create(
            name="又一个河北科协", kind=Kind.PROVINCIAL, parent=unit("中国科协"), region=hebei
        )


def test_retire_and_restore():
    baoding = SupervisingUnit.objects.filter(short_name="保定市科协")
    assert services.retire_units(baoding) == 1
    assert not SupervisingUnit.objects.active().filter(short_name="保定市科协").exists()
    assert services.restore_units(baoding) == 1
    assert SupervisingUnit.objects.active().filter(short_name="保定市科协").exists()


# --- CSV import ---------------------------------------------------------------

CSV = """name,short_name,kind,parent,region_code,retired
中国示例科普学会,示例学会,全国学会,,,
示例部委,,ministry,,,
"""


def test_import_adds_units_with_default_parents_and_initials():
    report = services.import_units_csv(CSV)
    assert report.ok and report.created == ["中国示例科普学会", "示例部委"]
    society = SupervisingUnit.objects.get(name="中国示例科普学会")
    assert (society.kind, society.parent.short_name, society.initials) == (Kind.SOCIETY, "中国科协", "slxh")


def test_import_updates_by_full_name_renames_and_retires():
    services.import_units_csv(CSV)
    report = services.import_units_csv(
        "name,short_name,kind,parent,region_code,retired\n中国示例科普学会,新简称,全国学会,,,是\n"
    )
    assert report.updated == ["中国示例科普学会"]
    society = SupervisingUnit.objects.get(name="中国示例科普学会")
    assert society.short_name == "新简称" and not society.is_active


def test_a_second_city_kexie_for_a_region_is_refused_with_its_line():
    report = services.import_units_csv("name,kind,region_code\n保定市第二科协,市科协,130600\n")
    assert report.errors == ["第2行：每个市只能有一个市科协"]


def test_a_city_kexie_gets_its_provincial_parent_by_default():
    SupervisingUnit.objects.filter(short_name="保定市科协").delete()
    report = services.import_units_csv(
        "name,short_name,kind,region_code\n保定市科协会,保定科协,市科协,130600\n"
    )
    assert report.ok
    assert SupervisingUnit.objects.get(name="保定市科协会").parent.short_name == "河北省科协"


def test_an_error_anywhere_imports_nothing_and_names_the_line():
    text = CSV + "错误单位,,不存在的类型,,,\n无上级单位,,全国学会,不存在的上级,,\n"
    report = services.import_units_csv(text)
    assert not report.ok
    assert report.errors == [
        "第4行：单位类型（kind）应为 部委、全国学会、省科协 或 市科协",
        "第5行：找不到上级单位“不存在的上级”（须与已有单位的全称一致）",
    ]
    assert not SupervisingUnit.objects.filter(name="中国示例科普学会").exists()


def test_dry_run_changes_nothing():
    report = services.import_units_csv(CSV, dry_run=True)
    assert report.ok and len(report.created) == 2
    assert not SupervisingUnit.objects.filter(name="中国示例科普学会").exists()


def test_missing_columns_and_duplicate_rows_are_reported():
    assert services.import_units_csv("名称,类型\n").errors[0].startswith("第1行：缺少列 kind, name")
    report = services.import_units_csv(CSV + "中国示例科普学会,,全国学会,,,\n")
    assert report.errors == ["第4行：“中国示例科普学会”在文件中出现了不止一次"]


def test_excel_files_in_gb18030_or_with_a_bom_are_read():
    assert services.decode_csv(CSV.encode("gb18030")) == CSV
    assert services.decode_csv(b"\xef\xbb\xbf" + CSV.encode()) == CSV


def test_the_command_imports_and_fails_loudly(tmp_path, capsys):
    good = tmp_path / "units.csv"
    good.write_bytes(CSV.encode("gb18030"))
    call_command("import_units", str(good))
    assert "2 unit(s) created, 0 updated." in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_text("name,kind\n坏单位,不对\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import_units", str(bad))


def test_the_sample_file_imports(settings):
    sample = Path(settings.BASE_DIR) / "directory" / "data" / "units-sample.csv"
    assert services.import_units_csv(services.decode_csv(sample.read_bytes())).ok


def test_the_admin_imports_a_file_and_reports_errors(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    changelist = client.get("/admin/directory/supervisingunit/").content.decode()
    assert "从CSV导入" in changelist

    bad = SimpleUploadedFile("units.csv", (CSV + "坏单位,,不对,,,\n").encode("gb18030"))
    response = client.post("/admin/directory/supervisingunit/import/", {"file": bad})
    assert "第4行：单位类型（kind）应为" in response.content.decode()
    assert not SupervisingUnit.objects.filter(name="中国示例科普学会").exists()

    good = SimpleUploadedFile("units.csv", CSV.encode())
    response = client.post("/admin/directory/supervisingunit/import/", {"file": good})
    assert response.status_code == 302
    assert SupervisingUnit.objects.filter(name="中国示例科普学会").exists()


def test_the_admin_renames_and_recomputes_the_initials(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    ministry = unit("教育部")
    response = client.post(
        f"/admin/directory/supervisingunit/{ministry.pk}/change/",
        {
            "name": "中华人民共和国教育部",
            "short_name": "教育部门",
            "kind": "ministry",
            "parent": ministry.parent_id,
        },
    )
    assert response.status_code == 302
    ministry.refresh_from_db()
    assert (ministry.name, ministry.initials, ministry.full_initials) == (
        "中华人民共和国教育部",
        "jybm",
        "zhrmghgjyb",
    )

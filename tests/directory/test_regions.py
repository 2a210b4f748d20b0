"""所在地区: the figures of SPEC §4 from the 2020 list, each with its official code."""

import importlib.util
from pathlib import Path

import pytest

from directory.models import Region

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def load_derive():
    spec = importlib.util.spec_from_file_location("derive_regions", ROOT / "scripts" / "derive_regions.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_32_province_level_entries_and_449_city_level_choices():
    assert Region.objects.provinces().count() == 32
    assert Region.objects.cities().count() == 449
    assert not Region.objects.provinces().filter(code__in=["710000", "810000", "820000"]).exists()


def test_the_449_are_made_of_333_prefectures_86_municipal_units_20_direct_and_10_bingtuan_cities():
    cities = Region.objects.cities()
    prefectures = cities.filter(code__endswith="00")
    municipal = cities.filter(parent__code__in=["110000", "120000", "310000", "500000"])
    direct = cities.filter(code__regex=r"^(41|42|46)90")
    bingtuan = cities.filter(parent__name="新疆生产建设兵团")
    assert (prefectures.count(), municipal.count(), direct.count(), bingtuan.count()) == (333, 86, 20, 10)
    assert set(bingtuan.values_list("code", flat=True)) == {f"6590{n:02d}" for n in range(1, 11)}


def test_bingtuan_cities_are_under_bingtuan_and_not_under_xinjiang():
    shihezi = Region.objects.get(name="石河子市")
    assert shihezi.code == "659001"
    assert shihezi.parent.name == "新疆生产建设兵团"
    assert not Region.objects.filter(parent__code="650000", code__startswith="6590").exists()
    assert Region.objects.filter(parent__code="650000").count() == 14


@pytest.mark.parametrize(
    ("code", "name", "province"),
    [
        ("130600", "保定市", "河北省"),
        ("110108", "海淀区", "北京市"),
        ("500229", "城口县", "重庆市"),
        ("419001", "济源市", "河南省"),
        ("429004", "仙桃市", "湖北省"),
        ("469002", "琼海市", "海南省"),
        ("630100", "西宁市", "青海省"),
    ],
)
def test_official_codes_are_kept(code, name, province):
    region = Region.objects.get(code=code)
    assert (region.name, region.parent.name, region.province.name) == (name, province, province)


def test_derivation_rules():
    derive = load_derive().derive
    lines = [
        "110000 北京市",
        "110101 东城区",
        "130000 河北省",
        "130100 石家庄市",
        "130102 长安区",
        "410000 河南省",
        "419001 济源市",
        "650000 新疆维吾尔自治区",
        "650100 乌鲁木齐市",
        "659001 石河子市",
        "710000 台湾省",
        "810000 香港特别行政区",
    ]
    provinces, cities = derive(lines)
    assert [p[1] for p in provinces] == ["北京市", "河北省", "河南省", "新疆维吾尔自治区", "新疆生产建设兵团"]
    assert [(c[1], c[3]) for c in cities] == [
        ("东城区", "110000"),
        ("石家庄市", "130000"),
        ("济源市", "410000"),
        ("乌鲁木齐市", "650000"),
        ("石河子市", "660000"),
    ]


def test_the_data_file_names_its_source_and_year():
    header = (ROOT / "directory" / "data" / "regions-2020.csv").read_text(encoding="utf-8").splitlines()[:5]
    text = "\n".join(header)
    assert "2020-12-31" in text and "GB/T 2260" in text and "yescallop/areacodes" in text

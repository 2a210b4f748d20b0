"""Which unit an activity belongs to; what a unit decides and reads (SPEC §7)."""

import pytest
from django.core.exceptions import ValidationError

from directory import jurisdiction
from directory.jurisdiction import SupervisorType
from directory.models import Region, SupervisingUnit

pytestmark = pytest.mark.django_db


def unit(short_name):
    return SupervisingUnit.objects.get(short_name=short_name)


def region(name):
    return Region.objects.get(name=name)


@pytest.mark.parametrize(
    ("city", "owner"),
    [
        ("保定市", "河北省科协"),
        ("石河子市", "新疆生产建设兵团科协"),
        ("海淀区", "北京市科协"),
        ("济源市", "河南省科协"),
    ],
)
def test_other_belongs_to_the_provincial_kexie_of_the_region(city, owner):
    assert jurisdiction.owning_unit(
        supervisor_type=SupervisorType.OTHER, unit=None, region=region(city)
    ) == unit(owner)


def test_a_chosen_unit_is_the_owner():
    chosen = unit("教育部")
    assert (
        jurisdiction.owning_unit(supervisor_type="ministry", unit=chosen, region=region("保定市")) == chosen
    )


@pytest.mark.parametrize(
    ("short_name", "city", "matches"),
    [
        ("河北省科协", "保定市", True),
        ("山西省科协", "保定市", False),
        ("保定市科协", "保定市", True),
        ("石家庄市科协", "保定市", False),
        ("新疆生产建设兵团科协", "石河子市", True),
        ("新疆维吾尔自治区科协", "石河子市", False),
        ("石河子市科协", "石河子市", True),
        ("教育部", "保定市", True),
        ("中国科协", "保定市", False),
    ],
)
def test_a_chosen_kexie_must_be_that_of_the_region(short_name, city, matches):
    assert jurisdiction.unit_matches_region(unit(short_name), region(city)) is matches


def test_decide_sets():
    assert set(jurisdiction.decide_units(unit("河北省科协")).values_list("short_name", flat=True)) == {
        "河北省科协",
        *(f"{r.name}科协" for r in Region.objects.filter(parent__code="130000")),
    }
    assert list(jurisdiction.decide_units(unit("保定市科协"))) == [unit("保定市科协")]
    assert list(jurisdiction.decide_units(unit("教育部"))) == [unit("教育部")]
    assert jurisdiction.decide_units(unit("中国科协")).count() == SupervisingUnit.objects.count()


def test_read_regions():
    assert jurisdiction.read_regions(unit("河北省科协")).count() == 11
    assert list(jurisdiction.read_regions(unit("保定市科协"))) == [region("保定市")]
    assert list(jurisdiction.read_regions(unit("新疆生产建设兵团科协"))) == list(
        Region.objects.filter(code__startswith="6590")
    )
    assert not jurisdiction.read_regions(unit("教育部")).exists()
    assert not jurisdiction.read_regions(unit("中国科协")).exists()  # it decides everything already


def test_readable_q_is_the_decide_set_plus_the_region():
    """Read through a model that has a unit and a region: a unit's children and their regions."""
    q = jurisdiction.readable_q(unit("保定市科协"), unit_field="pk", region_field="region")
    assert list(SupervisingUnit.objects.filter(q)) == [unit("保定市科协")]


def test_validate_supervisor_refuses_what_spec_forbids():
    baoding = region("保定市")
    jurisdiction.validate_supervisor(supervisor_type="city", unit=unit("保定市科协"), region=baoding)
    jurisdiction.validate_supervisor(supervisor_type="other", unit=None, region=baoding, other_name="某中学")
    cases = [
        ({"supervisor_type": "other", "unit": None}, "supervisor_name", "请输入归口单位名称全称"),
        (
            {"supervisor_type": "city", "unit": None},
            "supervisor",
            "请输入单位名称，并从检索结果中选择归口单位",
        ),
        (
            {"supervisor_type": "city", "unit": unit("石家庄市科协")},
            "supervisor",
            "市科协须为所在地区的市科协",
        ),
        ({"supervisor_type": "society", "unit": unit("教育部")}, "supervisor", "所选单位不是可选的全国学会"),
    ]
    for kwargs, field, message in cases:
        with pytest.raises(ValidationError) as error:
            jurisdiction.validate_supervisor(region=baoding, **kwargs)
        assert error.value.message_dict == {field: [message]}


def test_a_retired_unit_cannot_be_chosen():
    retired = unit("教育部")
    SupervisingUnit.objects.filter(pk=retired.pk).update(retired_at="2020-01-01T00:00:00Z")
    retired.refresh_from_db()
    with pytest.raises(ValidationError):
        jurisdiction.validate_supervisor(supervisor_type="ministry", unit=retired, region=region("保定市"))

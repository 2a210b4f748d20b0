"""所在地区 and 归口单位 as a form checks them, and the 归口单位查询 page."""

import pytest

from directory.forms import SupervisorForm
from directory.models import SupervisingUnit
from tests.support import inline_code, text_of

pytestmark = pytest.mark.django_db


def unit_id(short_name):
    return str(SupervisingUnit.objects.get(short_name=short_name).pk)


def form(**data):
    return SupervisorForm({"province": "130000", "region": "130600", **data})


def test_other_with_a_name_belongs_to_the_provincial_kexie():
    f = form(supervisor_type="other", supervisor_name="保定市某某学校")
    assert f.is_valid(), f.errors
    assert f.owning_unit().short_name == "河北省科协"


def test_other_needs_the_full_name():
    f = form(supervisor_type="other")
    assert f.errors["supervisor_name"] == ["请输入归口单位名称全称"]


def test_the_city_kexie_of_the_region():
    f = form(supervisor_type="city", supervisor=unit_id("保定市科协"))
    assert f.is_valid(), f.errors
    assert f.owning_unit().short_name == "保定市科协"


def test_the_city_kexie_of_another_city_is_refused():
    f = form(supervisor_type="city", supervisor=unit_id("石家庄市科协"))
    assert f.errors["supervisor"] == ["市科协须为所在地区的市科协"]


def test_a_unit_of_another_type_is_refused():
    f = form(supervisor_type="provincial", supervisor=unit_id("保定市科协"))
    assert f.errors["supervisor"] == ["所选单位不是可选的省科协"]


def test_a_unit_typed_by_its_exact_name_is_accepted_without_javascript():
    f = form(supervisor_type="ministry", supervisor_text="教育部")
    assert f.is_valid(), f.errors
    assert f.owning_unit().short_name == "教育部"


def test_a_name_that_matches_no_unit_is_refused():
    f = form(supervisor_type="ministry", supervisor_text="教育")
    assert f.errors["supervisor"] == ["请从检索结果中选择归口单位（输入名称或拼音首字母后点击）"]


def test_a_retired_unit_is_refused():
    SupervisingUnit.objects.filter(short_name="教育部").update(retired_at="2020-01-01T00:00:00Z")
    f = form(supervisor_type="ministry", supervisor=unit_id("教育部"))
    assert "supervisor" in f.errors


def test_a_city_outside_the_province_is_refused():
    f = SupervisorForm({"province": "140000", "region": "130600", "supervisor_type": "ministry"})
    assert f.errors["region"] == ["所选城市不在所选省份内"]


def test_the_lookup_page_shows_the_owner(client):
    response = client.get(
        "/directory/",
        {
            "province": "660000",
            "region": "659001",
            "supervisor_type": "other",
            "supervisor_name": "石河子某中学",
        },
    )
    assert "该活动隶属于 新疆生产建设兵团科学技术协会" in text_of(response)
    assert inline_code(response.content.decode()) == []


def test_the_lookup_page_groups_cities_under_provinces(client):
    html = client.get("/directory/").content.decode()
    assert '<optgroup label="新疆生产建设兵团">' in html
    assert 'data-province-select="id_province"' in html
    assert "data-unit-autocomplete" in html

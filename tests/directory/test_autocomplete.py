"""The 归口单位 autocomplete: at most 20 active units of a type, for the activity's region."""

import pytest

from directory import services
from directory.models import SupervisingUnit

pytestmark = pytest.mark.django_db
URL = "/directory/units/autocomplete/"


def names(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200
    return [unit["name"] for unit in response.json()["results"]]


def society(name):
    return services.save_unit(
        SupervisingUnit(name=name, kind="society", parent=SupervisingUnit.objects.get(kind="cast"))
    )


def test_no_match_says_so(client):
    response = client.get(URL, {"type": "ministry", "q": "不存在的部委"})
    assert response.json() == {
        "results": [],
        "hint": "没有找到匹配的单位，请换个关键词；如不在列表中，可选择“其他”并输入全称",
    }


def test_one_character_finds_the_units_containing_it(client):
    assert names(client, type="ministry", q="水") == ["水利部"]
    assert names(client, type="city", region="130600", q="保") == ["保定市科学技术协会"]


def test_pinyin_initials_find_a_unit(client):
    assert names(client, type="city", region="130600", q="bd") == ["保定市科学技术协会"]
    assert names(client, type="ministry", q="JYB") == ["教育部"]
    assert names(client, type="provincial", region="500101", q="cq") == ["重庆市科学技术协会"]


def test_a_retired_unit_is_not_offered(client, django_capture_on_commit_callbacks):
    society("中国示例科普学会")
    assert names(client, type="society", q="示例") == ["中国示例科普学会"]
    with django_capture_on_commit_callbacks(execute=True):  # answers are cached until the directory changes
        services.retire_units(SupervisingUnit.objects.filter(name="中国示例科普学会"))
    assert names(client, type="society", q="示例") == []
    with django_capture_on_commit_callbacks(execute=True):
        services.restore_units(SupervisingUnit.objects.filter(name="中国示例科普学会"))
    assert names(client, type="society", q="示例") == ["中国示例科普学会"]


def test_a_renamed_unit_is_found_by_its_new_name_at_once(client, django_capture_on_commit_callbacks):
    unit = society("中国示例科普学会")
    assert names(client, type="society", q="示例") == ["中国示例科普学会"]
    unit.name = unit.short_name = "中国样板科普学会"
    with django_capture_on_commit_callbacks(execute=True):
        services.save_unit(unit)
    assert names(client, type="society", q="示例") == []
    assert names(client, type="society", q="样板") == ["中国样板科普学会"]


def test_a_city_kexie_of_another_province_is_not_offered(client):
    assert names(client, type="city", region="130600", q="石家庄") == []  # the activity is in 保定
    assert names(client, type="city", region="130000", q="石家庄") == ["石家庄市科学技术协会"]
    assert names(client, type="city", region="140000", q="石家庄") == []


def test_only_the_provincial_kexie_of_the_region_is_offered(client):
    assert names(client, type="provincial", region="130600") == ["河北省科学技术协会"]
    assert names(client, type="provincial", region="130600", q="山西") == []
    assert names(client, type="provincial", region="659001") == ["新疆生产建设兵团科学技术协会"]


def test_kexie_without_a_region_asks_for_one(client):
    response = client.get(URL, {"type": "city", "q": "保定"})
    assert response.json() == {"results": [], "hint": "请先选择所在地区"}


def test_at_most_20_best_first(client):
    for n in range(25):
        society(f"中国示例学会第{n:02d}分会")
    society("示例学会")
    found = names(client, type="society", q="示例")
    assert len(found) == 20
    assert found[0] == "示例学会"  # the name that starts with the query, shortest first


def test_an_unknown_type_finds_nothing(client):
    assert names(client, type="cast", q="中国") == []
    assert names(client, type="", q="中国") == []


def test_the_query_count_is_fixed(client, django_assert_max_num_queries):
    for n in range(30):
        society(f"中国示例学会第{n:02d}分会")
    with django_assert_max_num_queries(2):
        client.get(URL, {"type": "city", "region": "130600", "q": "保"})
    with django_assert_max_num_queries(2):
        client.get(URL, {"type": "society", "q": "示例"})

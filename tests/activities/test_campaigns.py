"""Campaigns (SPEC §4): the 2020 data, the current-campaign rule, the order of the dates."""

from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from activities.models import Campaign
from directory.models import Region
from tests.support import SHANGHAI

pytestmark = pytest.mark.django_db

JUST_BEFORE = timedelta(microseconds=1)


def campaign_2020():
    return Campaign.objects.get(year=2020)


def test_the_2020_campaign_of_the_seed():
    c = campaign_2020()
    assert (c.name, c.national_theme, c.label) == (
        "2020年全国科普日",
        "决胜全面小康，践行科技为民",
        "2020年全国科普日活动",
    )
    assert (c.report_opens, c.report_closes, c.supplement_closes, c.summary_closes) == (
        date(2020, 8, 3),
        date(2020, 9, 25),
        date(2020, 10, 9),
        date(2020, 10, 16),
    )
    assert list(c.categories.values_list("name", flat=True)) == [
        "主场活动",
        "市州活动",
        "科普阅读",
        "校园科普",
        "科研团队",
        "农牧区科普",
        "卫生健康",
        "公共安全",
        "节水",
        "企业科普",
        "科普大篷车",
        "科普阵地",
        "网络活动",
        "其他",
    ]
    assert c.theme_for(Region.objects.get(name="青海省")) == "科技助力“一优两高”科普服务民生发展"
    assert c.theme_for(Region.objects.get(name="河北省")) == ""


def test_the_campaign_spans_report_opening_to_summary_deadline():
    c = campaign_2020()
    assert c.opens_at == datetime(2020, 8, 3, tzinfo=SHANGHAI)
    assert c.ends_at == datetime(2020, 10, 17, tzinfo=SHANGHAI)


def test_current_is_none_before_any_campaign_opens():
    assert Campaign.objects.current(datetime(2020, 8, 3, tzinfo=SHANGHAI) - JUST_BEFORE) is None
    assert Campaign.objects.current(datetime(2020, 8, 3, tzinfo=SHANGHAI)) == campaign_2020()


def test_current_is_the_one_that_opened_latest():
    c2021 = Campaign.objects.create(
        year=2021,
        name="2021年全国科普日",
        national_theme="主题",
        label="2021年全国科普日活动",
        report_opens=date(2021, 8, 1),
        report_closes=date(2021, 9, 20),
        supplement_closes=date(2021, 10, 8),
        summary_closes=date(2021, 10, 15),
    )
    opening = datetime(2021, 8, 1, tzinfo=SHANGHAI)
    assert Campaign.objects.current(opening - JUST_BEFORE) == campaign_2020()
    assert Campaign.objects.current(opening) == c2021
    assert Campaign.objects.current(datetime(2030, 1, 1, tzinfo=SHANGHAI)) == c2021


def test_current_defaults_to_now(time_machine):
    time_machine.move_to(datetime(2020, 9, 1, 12, 0, tzinfo=SHANGHAI), tick=False)
    assert Campaign.objects.current() == campaign_2020()


def test_dates_out_of_order_are_refused():
    c = campaign_2020()
    c.report_closes = date(2020, 8, 1)
    with pytest.raises(ValidationError) as error:
        c.full_clean()
    assert error.value.message_dict["report_closes"] == ["活动填报截止日期不能早于开始日期。"]
    with pytest.raises(IntegrityError):
        Campaign.objects.filter(pk=c.pk).update(supplement_closes=date(2020, 9, 1))

"""The campaign and its windows, regions, supervising units, the organisation (单位信息)."""

from rest_framework import serializers

from activities.deadlines import Window
from api.inputs import LocalDateTime, text


class WindowOut(serializers.Serializer):
    window = serializers.ChoiceField(
        choices=Window.choices, help_text="report 活动填报 · supplement 补充活动信息 · summary 活动总结"
    )
    opens_at = LocalDateTime(help_text="开放时刻（Asia/Shanghai）")
    closes_at = LocalDateTime(help_text="截止时刻（不含）：最后一天之后的零点")
    last_day = serializers.DateField(help_text="最后一天")
    is_open = serializers.BooleanField()
    extended = serializers.BooleanField(help_text="审核员已延期")
    message = serializers.CharField(help_text="与网站相同的说明，如“活动填报截止日期：2020年9月25日”")


def window(state) -> dict:
    return {
        "window": state.window.value,
        "opens_at": state.opens_at,
        "closes_at": state.closes_at,
        "last_day": state.last_day,
        "is_open": state.is_open,
        "extended": state.extended,
        "message": state.message,
    }


class Category(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ProvinceTheme(serializers.Serializer):
    province = serializers.CharField(help_text="省级区划代码")
    theme = serializers.CharField()


class CampaignOut(serializers.Serializer):
    year = serializers.IntegerField()
    name = serializers.CharField()
    national_theme = serializers.CharField()
    label = serializers.CharField(help_text="活动须标注的字样，如“2020年全国科普日活动”")
    province_themes = ProvinceTheme(many=True)
    categories = Category(many=True)
    activity_period = serializers.DictField(
        child=LocalDateTime(), help_text="活动时间须在 starts 与 ends 之间"
    )
    windows = WindowOut(many=True, help_text="本年度的三个时间窗口；单个活动的窗口见其 windows（含延期）")


class City(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class Province(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    cities = City(many=True)


class Unit(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    short_name = serializers.CharField()


class UnitMatches(serializers.Serializer):
    results = Unit(many=True)
    hint = serializers.CharField(help_text="没有结果时的提示")


class OrganizationIn(serializers.Serializer):
    name = text("单位名称")
    contact_name = text("填报人姓名")
    contact_phone = text("填报人电话：手机号码，或带区号的固定电话")
    address = text("单位地址")
    description = text("单位简介（选填）")


class OrganizationOut(serializers.Serializer):
    name = serializers.CharField()
    contact_name = serializers.CharField()
    contact_phone = serializers.CharField()
    address = serializers.CharField()
    description = serializers.CharField()
    updated_at = LocalDateTime()

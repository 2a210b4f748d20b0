"""The 2020 campaign of the seed: themes, label, categories and dates."""

from datetime import date

from django.db import migrations

CATEGORIES = [
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


def create(apps, schema_editor):
    Campaign = apps.get_model("activities", "Campaign")
    Region = apps.get_model("directory", "Region")
    campaign = Campaign.objects.create(
        year=2020,
        name="2020年全国科普日",
        national_theme="决胜全面小康，践行科技为民",
        label="2020年全国科普日活动",
        report_opens=date(2020, 8, 3),
        report_closes=date(2020, 9, 25),
        supplement_closes=date(2020, 10, 9),
        summary_closes=date(2020, 10, 16),
    )
    for position, name in enumerate(CATEGORIES):
        campaign.categories.create(name=name, position=position)
    campaign.province_themes.create(
        province=Region.objects.get(code="630000"), theme="科技助力“一优两高”科普服务民生发展"
    )


def remove(apps, schema_editor):
    apps.get_model("activities", "Campaign").objects.filter(year=2020).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0001_campaigns"),
        ("directory", "0002_load_regions_and_units"),
    ]

    operations = [migrations.RunPython(create, remove)]

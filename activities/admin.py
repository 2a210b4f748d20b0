from django.contrib import admin

from .models import ActivityCategory, Campaign, ProvinceTheme


class ActivityCategoryInline(admin.TabularInline):
    model = ActivityCategory
    extra = 1
    fields = ("name", "position", "is_active")


class ProvinceThemeInline(admin.TabularInline):
    model = ProvinceTheme
    extra = 1
    autocomplete_fields = ("province",)


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "year",
        "report_opens",
        "report_closes",
        "supplement_closes",
        "summary_closes",
        "is_demo",
    )
    list_filter = ("is_demo",)
    search_fields = ("name", "national_theme", "label")
    inlines = (ActivityCategoryInline, ProvinceThemeInline)
    fieldsets = (
        (None, {"fields": ("year", "name", "national_theme", "label", "is_demo")}),
        (
            "截止日期（北京时间，含当日；次日零时关闭）",
            {"fields": ("report_opens", "report_closes", "supplement_closes", "summary_closes")},
        ),
    )

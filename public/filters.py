import django_filters
from django import forms
from django.db.models import F
from django.utils import timezone

from activities import search
from activities.models import Activity, ActivityCategory, Campaign
from directory.forms import CitySelect
from directory.models import Region
from kepuri.widgets import QuickSelect

SORTS = [("newest", "最新发布"), ("soon", "即将开始"), ("liked", "最多点赞")]


class ActivityListFilter(django_filters.FilterSet):
    """The public list's filters; the querystring is the page's shareable address."""

    q = django_filters.CharFilter(label="关键词", method="filter_keyword")
    province = django_filters.ModelChoiceFilter(
        label="省份", field_name="region__parent", queryset=Region.objects.provinces(), to_field_name="code",
        empty_label="全部省份", widget=QuickSelect,
    )  # fmt: skip
    region = django_filters.ModelChoiceFilter(
        label="城市", queryset=Region.objects.cities(), to_field_name="code", widget=CitySelect
    )
    activity_type = django_filters.ChoiceFilter(
        label="活动类型", choices=Activity.Type.choices, empty_label="全部类型", widget=QuickSelect
    )
    category = django_filters.ModelChoiceFilter(
        label="活动类别", queryset=ActivityCategory.objects.none(), empty_label="全部类别", widget=QuickSelect
    )
    date_from = django_filters.DateFilter(
        label="日期从",
        field_name="ends_at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = django_filters.DateFilter(
        label="至",
        field_name="starts_at",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    sort = django_filters.ChoiceFilter(
        label="排序", choices=SORTS, method="filter_sort", empty_label=None, widget=QuickSelect
    )

    class Meta:
        model = Activity
        fields = []

    def __init__(self, data=None, *args, **kwargs):
        data = data.copy() if data is not None else {}
        data.setdefault("sort", "newest")
        super().__init__(data, *args, **kwargs)
        campaign = Campaign.objects.current()
        self.filters["category"].queryset = (
            campaign.categories.active() if campaign else ActivityCategory.objects.none()
        )
        for field in self.form.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = css

    def filter_keyword(self, queryset, name, value):
        return queryset.filter(search.matching(value)) if value.strip() else queryset

    def filter_sort(self, queryset, name, value):
        if value == "soon":
            return queryset.filter(ends_at__gte=timezone.now()).order_by("starts_at", "pk")
        if value == "liked":
            return queryset.order_by("-like_count", "-first_submitted_at", "-pk")
        return queryset.order_by(F("decided_at").desc(nulls_last=True), "-pk")

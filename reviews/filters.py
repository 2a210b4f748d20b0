"""The queue's filters; the querystring is the shareable state of the page.

Every filter reads an index: dates are ranges of ``starts_at`` between Asia/Shanghai
midnights (not a date cast of each row), the search is the character-pair index
of ``activities.search`` (or the public code), region, year and category are ids.
The option lists (up to a few hundred cities for 中国科协) are built and rendered
once per scope and kept in the shared cache (``scope_options``); a request only
marks the chosen option.
"""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.html import format_html, format_html_join

from activities import search
from activities.deadlines import start_of_day
from activities.models import Activity, Campaign
from directory.models import Region, SupervisingUnit
from kepuri import microcache
from kepuri.widgets import PrerenderedSelect

STATE_CHOICES = [
    ("waiting", "待审核（含修改）"),
    ("pending", "待审核（新活动）"),
    ("change", "修改待审核"),
    ("approved", "审核通过"),
    ("rejected", "审核未通过"),
    ("all", "全部"),
]
# The queue's state in an address, in this order (``scope`` is the reviewer's choice of set).
QUEUE_PARAMS = (
    "state",
    "campaign",
    "region",
    "activity_type",
    "category",
    "starts_from",
    "starts_to",
    "q",
    "scope",
)
OPTIONS_TTL = 300  # a city, year or category added by an admin shows within five minutes


def _options_html(empty_label: str, choices) -> str:
    empty = format_html('<option value="">{}</option>', empty_label)
    return empty + format_html_join("", '<option value="{}">{}</option>', choices)


def _build_options(unit: SupervisingUnit) -> dict:
    cities = Region.objects.cities().select_related("parent").order_by("code")
    if unit.kind == SupervisingUnit.Kind.PROVINCIAL:
        cities = cities.filter(parent_id=unit.region_id)
    elif unit.kind == SupervisingUnit.Kind.CITY:
        cities = cities.filter(pk=unit.region_id)
    regions = [(city.code, str(city), city.pk) for city in cities]
    campaigns = [(str(c.pk), str(c)) for c in Campaign.objects.order_by("-year")]
    current = Campaign.objects.current()
    categories = [(str(c.pk), c.name) for c in current.categories.all()] if current else []
    return {
        "region": (
            [(code, label) for code, label, _ in regions],
            _options_html("全部地区", [r[:2] for r in regions]),
        ),
        "region_ids": {code: pk for code, _, pk in regions},
        "campaign": (campaigns, _options_html("全部年度", campaigns)),
        "category": (categories, _options_html("全部类别", categories)),
    }


def scope_options(unit: SupervisingUnit) -> dict:
    """The option lists of ``unit``'s queue, built and rendered once per scope (kind and region)."""
    key = f"reviews:options:{unit.kind}:{unit.region_id or 0}"
    return microcache.get_or_make(key, lambda: _build_options(unit), OPTIONS_TTL)


class QueueFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(
        label="状态", choices=STATE_CHOICES, method="filter_state", empty_label=None
    )
    campaign = django_filters.ChoiceFilter(label="年度", method="filter_campaign", widget=PrerenderedSelect)
    region = django_filters.ChoiceFilter(label="市", method="filter_region", widget=PrerenderedSelect)
    activity_type = django_filters.ChoiceFilter(
        label="活动类型", choices=Activity.Type.choices, empty_label="全部类型"
    )
    category = django_filters.ChoiceFilter(
        label="活动类别", method="filter_category", widget=PrerenderedSelect
    )
    starts_from = django_filters.DateFilter(
        label="活动日期从", method="filter_starts_from", widget=forms.DateInput(attrs={"type": "date"})
    )
    starts_to = django_filters.DateFilter(
        label="至", method="filter_starts_to", widget=forms.DateInput(attrs={"type": "date"})
    )
    q = django_filters.CharFilter(label="搜索", method="filter_search")

    class Meta:
        model = Activity
        fields = []

    def __init__(self, data=None, *args, unit: SupervisingUnit, **kwargs):
        data = data.copy() if data is not None else {}
        data.setdefault("state", "waiting")
        super().__init__(data, *args, **kwargs)
        self.options = scope_options(unit)
        for name in ("campaign", "region", "category"):
            choices, html = self.options[name]
            field = self.form.fields[name]
            field.choices = [("", ""), *choices]
            field.widget.options_html = html
        for field in self.form.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = (
                f"{css} form-control-sm" if css == "form-control" else f"{css} form-select-sm"
            )

    def filter_state(self, queryset, name, value):
        if value == "waiting":
            return queryset.filter(waiting_since__isnull=False)
        if value == "pending":
            return queryset.filter(status=Activity.Status.PENDING)
        if value == "change":
            return queryset.filter(status=Activity.Status.APPROVED, waiting_since__isnull=False)
        if value in ("approved", "rejected"):
            return queryset.filter(status=value)
        return queryset

    def filter_campaign(self, queryset, name, value):
        return queryset.filter(campaign_id=int(value))

    def filter_region(self, queryset, name, value):
        return queryset.filter(region_id=self.options["region_ids"][value])

    def filter_category(self, queryset, name, value):
        return queryset.filter(category_id=int(value))

    def filter_starts_from(self, queryset, name, value):
        return queryset.filter(starts_at__gte=start_of_day(value))

    def filter_starts_to(self, queryset, name, value):
        try:
            return queryset.filter(starts_at__lt=start_of_day(value, days_after=1))
        except OverflowError:  # 9999-12-31: nothing starts after it
            return queryset

    def filter_search(self, queryset, name, value):
        """Name, organisation or host containing the words (``activities.search``), or the public code."""
        value = value.strip()
        if not value:
            return queryset
        words = search.matching(value)
        return queryset.filter(Q(public_code=value) | words)

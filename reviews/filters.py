import django_filters
from django import forms
from django.db.models import Q

from activities.models import Activity, ActivityCategory, Campaign
from directory.models import Region, SupervisingUnit
from kepuri.widgets import QuickSelect

STATE_CHOICES = [
    ("waiting", "待审核（含修改）"),
    ("pending", "待审核（新活动）"),
    ("change", "修改待审核"),
    ("approved", "审核通过"),
    ("rejected", "审核未通过"),
    ("all", "全部"),
]


class QueueFilter(django_filters.FilterSet):
    """The queue's filters; the querystring is the shareable state of the page."""

    state = django_filters.ChoiceFilter(
        label="状态", choices=STATE_CHOICES, method="filter_state", empty_label=None
    )
    campaign = django_filters.ModelChoiceFilter(
        label="年度", queryset=Campaign.objects.all(), empty_label="全部年度"
    )
    region = django_filters.ModelChoiceFilter(
        label="市", queryset=Region.objects.none(), to_field_name="code", empty_label="全部地区",
        widget=QuickSelect,
    )  # fmt: skip
    activity_type = django_filters.ChoiceFilter(
        label="活动类型", choices=Activity.Type.choices, empty_label="全部类型"
    )
    category = django_filters.ModelChoiceFilter(
        label="活动类别", queryset=ActivityCategory.objects.none(), empty_label="全部类别"
    )
    starts_from = django_filters.DateFilter(
        label="活动日期从",
        field_name="starts_at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    starts_to = django_filters.DateFilter(
        label="至",
        field_name="starts_at",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    q = django_filters.CharFilter(label="搜索", method="filter_search")

    class Meta:
        model = Activity
        fields = []

    def __init__(self, data=None, *args, unit: SupervisingUnit, **kwargs):
        data = data.copy() if data is not None else {}
        data.setdefault("state", "waiting")
        super().__init__(data, *args, **kwargs)
        regions = Region.objects.cities().select_related("parent")
        if unit.kind == SupervisingUnit.Kind.PROVINCIAL:
            regions = regions.filter(parent_id=unit.region_id)
        elif unit.kind == SupervisingUnit.Kind.CITY:
            regions = regions.filter(pk=unit.region_id)
        self.filters["region"].queryset = regions
        current = Campaign.objects.current()
        self.filters["category"].queryset = (
            current.categories.all() if current else ActivityCategory.objects.none()
        )
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

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(org_name__icontains=value) | Q(public_code=value))

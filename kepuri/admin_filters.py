"""Admin list filters shared by the apps."""

from django.contrib import admin


def timestamp_set_filter(field: str, title: str, *, set_label: str, unset_label: str):
    """A filter on whether the timestamp ``field`` is set (停用, 删除…)."""

    class Filter(admin.SimpleListFilter):
        parameter_name = field

        def lookups(self, request, model_admin):
            return [("no", unset_label), ("yes", set_label)]

        def queryset(self, request, queryset):
            if self.value() in ("yes", "no"):
                return queryset.filter(**{f"{field}__isnull": self.value() == "no"})
            return queryset

    Filter.title = title
    return Filter

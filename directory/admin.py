from django import forms
from django.contrib import admin, messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from kepuri.admin import ReadOnlyAdmin
from kepuri.admin_filters import timestamp_set_filter

from . import services
from .models import Region, SupervisingUnit


@admin.register(Region)
class RegionAdmin(ReadOnlyAdmin):
    """The division list is loaded by a migration; admins read it, they do not edit it."""

    list_display = ("code", "name", "level", "parent")
    list_filter = ("level", ("parent", admin.RelatedOnlyFieldListFilter))
    search_fields = ("code", "name", "parent__name")
    list_select_related = ("parent",)


StatusFilter = timestamp_set_filter("retired_at", "状态", set_label="已停用", unset_label="在用")


class UnitImportForm(forms.Form):
    file = forms.FileField(
        label="CSV文件", help_text="UTF-8 或 GB18030（Excel 另存为 CSV）编码，格式见说明。"
    )
    dry_run = forms.BooleanField(label="只检查，不导入", required=False)


@admin.register(SupervisingUnit)
class SupervisingUnitAdmin(admin.ModelAdmin):
    change_list_template = "admin/directory/supervisingunit/change_list.html"
    list_display = ("name", "short_name", "kind", "parent", "region", "active_display", "is_demo")
    list_filter = ("kind", StatusFilter, "is_demo")
    search_fields = ("name", "short_name", "initials", "full_initials", "region__name", "region__code")
    list_select_related = ("parent", "region")
    autocomplete_fields = ("parent", "region")
    readonly_fields = ("initials", "full_initials", "created_at")
    fields = (
        "name",
        "short_name",
        "kind",
        "parent",
        "region",
        "retired_at",
        "is_demo",
        "initials",
        "created_at",
    )
    actions = ("retire", "restore")
    list_per_page = 50

    @admin.display(description="在用", boolean=True, ordering="retired_at")
    def active_display(self, unit):
        return unit.is_active

    def save_model(self, request, obj, form, change):
        services.save_unit(obj)

    def has_delete_permission(self, request, obj=None):
        return False  # retire instead: activities keep their unit

    @admin.action(description="停用所选单位（不再供选择）")
    def retire(self, request, queryset):
        count = services.retire_units(queryset)
        self.message_user(request, f"已停用 {count} 个单位。")

    @admin.action(description="恢复所选单位")
    def restore(self, request, queryset):
        count = services.restore_units(queryset)
        self.message_user(request, f"已恢复 {count} 个单位。")

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="directory_supervisingunit_import",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request):
        """从CSV导入: add or update units of any type; every row or none."""
        if not self.has_add_permission(request):
            return redirect("admin:index")
        form = UnitImportForm(request.POST or None, request.FILES or None)
        report = None
        if request.method == "POST" and form.is_valid():
            text = services.decode_csv(form.cleaned_data["file"].read())
            dry_run = form.cleaned_data["dry_run"]
            report = services.import_units_csv(text, dry_run=dry_run)
            if report.ok and not dry_run:
                self.message_user(
                    request, f"导入完成：新增 {len(report.created)} 个，更新 {len(report.updated)} 个。"
                )
                return redirect(reverse("admin:directory_supervisingunit_changelist"))
            if not report.ok:
                self.message_user(request, "导入未完成，文件有错误，未做任何修改。", messages.ERROR)
        context = {
            **self.admin_site.each_context(request),
            "title": "从CSV导入归口单位",
            "opts": self.model._meta,
            "form": form,
            "report": report,
            "columns": services.CSV_COLUMNS,
        }
        return TemplateResponse(request, "admin/directory/supervisingunit/import.html", context)

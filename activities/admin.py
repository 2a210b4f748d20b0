from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse

from kepuri.admin import ReadOnlyAdmin
from kepuri.admin_filters import timestamp_set_filter

from . import services, transitions
from .models import (
    Activity,
    ActivityCategory,
    ActivityChange,
    Campaign,
    DeadlineExtension,
    ProvinceTheme,
    ReviewDecision,
)


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
        "public_screen",
    )
    list_filter = ("is_demo", "public_screen")
    search_fields = ("name", "national_theme", "label")
    inlines = (ActivityCategoryInline, ProvinceThemeInline)
    fieldsets = (
        (None, {"fields": ("year", "name", "national_theme", "label", "is_demo")}),
        ("数据大屏", {"fields": ("public_screen",)}),
        (
            "截止日期（北京时间，含当日；次日零时关闭）",
            {"fields": ("report_opens", "report_closes", "supplement_closes", "summary_closes")},
        ),
    )


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ChangeInline(ReadOnlyInline):
    model = ActivityChange
    fields = ("status", "submitted_at", "decided_at", "rejection_reason")
    readonly_fields = fields


class DecisionInline(ReadOnlyInline):
    model = ReviewDecision
    fields = ("at", "actor", "from_status", "to_status", "reason")
    readonly_fields = fields


class ExtensionInline(ReadOnlyInline):
    model = DeadlineExtension
    fields = ("window", "last_day", "reason", "granted_by", "granted_at")
    readonly_fields = fields


DeletedFilter = timestamp_set_filter("deleted_at", "是否已删除", set_label="已删除", unset_label="未删除")


class RejectForm(forms.Form):
    reason = forms.CharField(label="审核未通过的原因", widget=forms.Textarea(attrs={"rows": 3}))


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    """Admins see deleted activities too and restore them; the decisions here are the minimal ones."""

    list_display = ("name", "status", "org_name", "region", "owner_unit", "submitted_at", "deleted_at")
    list_filter = ("status", DeletedFilter, "campaign", "activity_type", "is_public")
    search_fields = ("name", "org_name", "public_code", "owner__phone", "hosts")
    list_select_related = ("region__parent", "owner_unit")
    date_hierarchy = "submitted_at"
    inlines = (ChangeInline, ExtensionInline, DecisionInline)
    actions = ("approve", "reject", "restore")
    exclude = ("creation_token",)
    readonly_fields = [field.name for field in Activity._meta.fields if field.name != "creation_token"]

    def get_queryset(self, request):
        return Activity.all_objects.select_related("region__parent", "owner_unit")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="审核通过所选活动（或其修改）")
    def approve(self, request, queryset):
        done = 0
        for activity in queryset:
            try:
                transitions.approve(activity=activity, by=request.user)
                done += 1
            except services.ActivityError as exc:
                self.message_user(request, f"“{activity}”：{exc.message}", messages.WARNING)
        self.message_user(request, f"已审核通过 {done} 个。")

    @admin.action(description="审核未通过所选活动（或其修改）…")
    def reject(self, request, queryset):
        form = RejectForm(request.POST if "reason" in request.POST else None)
        if form.is_valid():
            done = 0
            for activity in queryset:
                try:
                    transitions.reject(activity=activity, by=request.user, reason=form.cleaned_data["reason"])
                    done += 1
                except services.ActivityError as exc:
                    self.message_user(request, f"“{activity}”：{exc.message}", messages.WARNING)
            self.message_user(request, f"已审核未通过 {done} 个。")
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "审核未通过",
            "opts": self.model._meta,
            "form": form,
            "queryset": queryset,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/activities/activity/reject.html", context)

    @admin.action(description="恢复所选已删除的活动")
    def restore(self, request, queryset):
        for activity in queryset.filter(deleted_at__isnull=False):
            services.restore_activity(activity=activity)
        self.message_user(request, "已恢复。")


@admin.register(ReviewDecision)
class ReviewDecisionAdmin(ReadOnlyAdmin):
    """The log is append-only: nobody edits or deletes it, here or anywhere."""

    list_display = ("at", "activity", "actor", "from_status", "to_status", "reason")
    list_filter = ("to_status",)
    search_fields = ("activity__name", "actor__phone", "reason")
    list_select_related = ("activity", "actor")

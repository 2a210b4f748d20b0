from django.contrib import admin
from django.utils import timezone

from kepuri.admin import ReadOnlyAdmin

from . import kinds, services
from .models import DailyRun, Heartbeat, Message


class StuckFilter(admin.SimpleListFilter):
    title = "发送中断"
    parameter_name = "stuck"

    def lookups(self, request, model_admin):
        return [("yes", "发送中断（需确认后重发）")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(pk__in=services.stuck().values("pk"))
        return queryset


class KindFilter(admin.SimpleListFilter):
    title = "类型"
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return sorted(kinds.LABELS.items())

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() else queryset


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        "recipient",
        "kind_label",
        "channel",
        "state",
        "created_at",
        "sent_at",
    )
    list_filter = ("channel", "state", KindFilter, StuckFilter, "created_at")
    date_hierarchy = "created_at"
    search_fields = ("title", "recipient__phone", "key")
    list_select_related = ("recipient",)
    readonly_fields = [f.name for f in Message._meta.fields]
    actions = ("resend",)

    def has_add_permission(self, request):
        return False

    @admin.display(description="类型", ordering="kind")
    def kind_label(self, obj):
        return kinds.label(obj.kind)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="重新发送所选的失败或中断短信")
    def resend(self, request, queryset):
        self.message_user(request, f"已重新排队 {services.resend(queryset)} 条。")


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin):
    list_display = ("name", "at", "age")

    @admin.display(description="距今")
    def age(self, obj):
        return timezone.now() - obj.at

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(DailyRun)
class DailyRunAdmin(ReadOnlyAdmin):
    """Whether today's reminders and digests went out: 完成于 empty after the hour means a run was cut."""

    list_display = ("job", "day", "started_at", "finished_at", "attempts")
    list_filter = ("job",)

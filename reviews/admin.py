from django.contrib import admin

from . import services
from .models import ExportJob, Recommendation, ReviewerRole


@admin.register(ReviewerRole)
class ReviewerRoleAdmin(admin.ModelAdmin):
    """Grant (add) and revoke (action) review rights; a revoked role stays as a record."""

    list_display = ("user", "unit", "granted_by", "granted_at", "revoked_at")
    list_filter = ("unit__kind", ("revoked_at", admin.EmptyFieldListFilter))
    search_fields = ("user__phone", "user__name", "unit__name", "unit__short_name")
    autocomplete_fields = ("user", "unit")
    list_select_related = ("user", "unit", "granted_by")
    actions = ("revoke",)
    fields = ("user", "unit", "granted_by", "granted_at", "revoked_at", "revoked_by")
    readonly_fields = ("granted_by", "granted_at", "revoked_at", "revoked_by")

    def save_model(self, request, obj, form, change):
        if not change:
            obj.granted_by = request.user
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="撤销所选审核员的审核权限")
    def revoke(self, request, queryset):
        self.message_user(request, f"已撤销 {services.revoke_roles(queryset, by=request.user)} 个。")


@admin.register(Recommendation)
class RecommendationAdmin(admin.ModelAdmin):
    list_display = ("kind", "activity", "organization_name", "from_unit", "to_unit", "at")
    list_filter = ("kind", "to_unit__kind")
    search_fields = ("activity__name", "organization_name", "from_unit__name")
    list_select_related = ("activity", "from_unit", "to_unit")


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    list_display = ("created_at", "requested_by", "unit", "state", "done", "total")
    list_filter = ("state",)
    readonly_fields = [f.name for f in ExportJob._meta.fields]

    def has_add_permission(self, request):
        return False

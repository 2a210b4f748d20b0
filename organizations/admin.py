from django.contrib import admin

from .models import Organization


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "contact_name", "contact_phone", "owner", "updated_at")
    search_fields = ("name", "contact_name", "contact_phone", "address", "owner__phone")
    list_select_related = ("owner",)
    date_hierarchy = "updated_at"
    readonly_fields = ("created_at", "updated_at")
    autocomplete_fields = ("owner",)

    def has_delete_permission(self, request, obj=None):
        return False  # the organisation behind submitted activities stays

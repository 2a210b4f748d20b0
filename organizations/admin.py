from django.contrib import admin

from kepuri.logs import mask_phone

from .models import Organization


@admin.display(description="填报人电话", ordering="contact_phone")
def masked_contact_phone(organization) -> str:
    """Masked in the list (a mobile; landlines are office numbers); in full on the organisation's page."""
    return mask_phone(organization.contact_phone)


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "contact_name", masked_contact_phone, "owner", "updated_at")
    search_fields = ("name", "contact_name", "contact_phone", "address", "owner__phone")
    list_select_related = ("owner",)
    date_hierarchy = "updated_at"
    readonly_fields = ("created_at", "updated_at")
    autocomplete_fields = ("owner",)

    def has_delete_permission(self, request, obj=None):
        return False  # the organisation behind submitted activities stays

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm

from .forms import PhoneField
from .models import SmsCode, User
from .phone import mask_phone

# Lists show numbers masked (search still takes the full number); an account's own page shows it in
# full, for the admin who must contact or correct it.


@admin.display(description="手机号码", ordering="phone")
def masked_phone(obj) -> str:
    return mask_phone(obj.phone)


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("phone",)
        field_classes = {"phone": PhoneField}


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"
        field_classes = {"phone": PhoneField}


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserEditForm
    add_form = UserCreationForm
    ordering = ("-date_joined",)
    list_display = (masked_phone, "name", "is_active", "is_staff", "date_joined")
    list_filter = ("is_active", "is_staff", "is_superuser")
    search_fields = ("phone", "name")
    readonly_fields = ("date_joined", "last_login", "terms_accepted_at")
    fieldsets = (
        (None, {"fields": ("phone", "password")}),
        ("个人信息", {"fields": ("name",)}),
        ("权限", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("时间", {"fields": ("date_joined", "last_login", "terms_accepted_at")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("phone", "password1", "password2")}),)


@admin.register(SmsCode)
class SmsCodeAdmin(admin.ModelAdmin):
    """Read-only: who was sent a code for what, and what became of it (never the code)."""

    list_display = (masked_phone, "purpose", "created_at", "expires_at", "failed_attempts", "used_at")
    list_filter = ("purpose",)
    search_fields = ("phone",)
    exclude = ("code_hmac",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

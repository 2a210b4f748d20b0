from functools import partial

from django.contrib import admin, messages
from django.contrib.admin.utils import flatten_fieldsets
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm

from kepuri.logs import mask_phone

from . import services, tokens
from .forms import PhoneField
from .models import ApiToken, SmsCode, User

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
    list_display = (masked_phone, "name", "is_active", "is_staff", "date_joined", "deleted_at")
    list_filter = ("is_active", "is_staff", "is_superuser", ("deleted_at", admin.EmptyFieldListFilter))
    search_fields = ("phone", "name")
    readonly_fields = ("date_joined", "last_login", "terms_accepted_at", "deleted_at")
    fieldsets = (
        (None, {"fields": ("phone", "password")}),
        ("个人信息", {"fields": ("name",)}),
        ("权限", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("时间", {"fields": ("date_joined", "last_login", "terms_accepted_at", "deleted_at")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("phone", "password1", "password2")}),)
    actions = ("deactivate", "reactivate")

    def get_readonly_fields(self, request, obj=None):
        """A deleted account (注销) is kept for the records that name it; nothing in it is edited."""
        if obj is not None and obj.is_deleted:
            return flatten_fieldsets(self.get_fieldsets(request, obj))
        return super().get_readonly_fields(request, obj)

    def _set_active(self, request, queryset, *, change, verb: str, log: str):
        """Apply ``change`` (a service) to each selected account, log each one changed, report the count."""
        changed = 0
        for user in queryset:
            try:
                done = change(user=user)
            except services.AccountError as exc:
                self.message_user(request, f"{user}：{exc.message}", messages.ERROR)
                continue
            if done:
                self.log_change(request, user, log)
                changed += 1
        self.message_user(request, f"已{verb} {changed} 个账号", messages.SUCCESS)

    @admin.action(description="停用所选账号", permissions=["change"])
    def deactivate(self, request, queryset):
        change = partial(services.deactivate_account, by=request.user)
        self._set_active(request, queryset, change=change, verb="停用", log="停用账号")

    @admin.action(description="启用所选账号", permissions=["change"])
    def reactivate(self, request, queryset):
        self._set_active(request, queryset, change=services.reactivate_account, verb="启用", log="启用账号")


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


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Read-only: which clients hold tokens of an account, and 吊销 (never the token itself: only its digest
    is stored)."""

    list_display = ("user", "kind", "client", "created_at", "expires_at", "used_at", "revoked_at")
    list_filter = ("kind", ("revoked_at", admin.EmptyFieldListFilter))
    search_fields = ("user__phone",)
    exclude = ("digest", "auth_hash")
    actions = ("revoke_accounts",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description="吊销所选令牌所属账号的全部令牌", permissions=["delete"])
    def revoke_accounts(self, request, queryset):
        users = {token.user for token in queryset.select_related("user")}
        revoked = sum(tokens.revoke_all(user) for user in users)
        self.message_user(request, f"已吊销 {len(users)} 个账号的 {revoked} 个令牌", messages.SUCCESS)

from django import template

from kepuri.admin import has_admin_role

register = template.Library()


@register.filter(name="has_admin_role")
def has_admin_role_filter(user) -> bool:
    """Whether the header offers 管理后台: the admin's own rule (``kepuri.admin.has_admin_role``)."""
    return has_admin_role(user)

from .models import Organization


def save_organization(*, owner, name, contact_name, contact_phone, address, description="") -> Organization:
    """Fill in or update ``owner``'s 单位信息 (one organisation per account)."""
    organization, _ = Organization.objects.update_or_create(
        owner=owner,
        defaults={
            "name": name,
            "contact_name": contact_name,
            "contact_phone": contact_phone,
            "address": address,
            "description": description,
        },
    )
    return organization


def organization_of(user) -> Organization | None:
    """The user's organisation, if they have filled it in."""
    if not user.is_authenticated:
        return None
    return Organization.objects.filter(owner=user).first()

from . import access


def reviewer(request):
    """The header shows 审核 to reviewers (asked only when a template shows it; remembered on the user)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"reviewer_unit": lambda: access.reviewer_unit(user)}

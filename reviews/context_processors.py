from . import access


def reviewer(request):
    """The header shows 审核 to reviewers."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"reviewer_unit": access.reviewer_unit(user)}

from . import services


def unread_messages(request):
    """The header's 消息 count (one query, for logged-in users only)."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    return {"unread_message_count": services.unread_count(request.user)}

from functools import cache

from . import services


def unread_messages(request):
    """The header's 消息 count (one query, for logged-in users only).

    A callable: the template asks only when it shows the header, and a view that
    already knows the count (the activity page) passes it in its own context.
    """
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    return {"unread_message_count": cache(lambda: services.unread_count(request.user))}

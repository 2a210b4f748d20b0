from functools import cache

from . import services


def unread_messages(request):
    """The header's 消息 count (one query, for logged-in users only).

    A callable: the template asks only when it shows the header, and a view that
    already knows the count (the activity page) passes it in its own context, or
    on the request (the reviewers' console).
    """
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    known = getattr(request, "unread_message_count", None)  # read with the account (reviews.access)
    if known is not None:
        return {"unread_message_count": known}
    return {"unread_message_count": cache(lambda: services.unread_count(request.user))}

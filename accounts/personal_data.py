"""What the apps above ``accounts`` keep about a user, and what 注销账号 does with it.

``accounts`` is the lowest app: it imports none of the apps that hold a user's
activities, comments or messages. Each of them registers here, in its
``AppConfig.ready()``, what deleting an account means for its own data (as the
apps register their message kinds with ``notifications.kinds``):

- ``refusal``: why this user cannot delete their own account (a reviewer must
  ask an admin to revoke the role first), or None;
- ``erase``: remove or detach what is personal, inside the deletion's
  transaction; what an app keeps, it documents next to its eraser.

``accounts.services.delete_account`` asks every refusal, then runs every eraser,
then anonymises the account row itself.
"""

from collections.abc import Callable
from dataclasses import dataclass

from .models import User


@dataclass(frozen=True)
class Holder:
    app: str
    refusal: Callable[[User], str | None] | None = None
    erase: Callable[[User], None] | None = None


HOLDERS: dict[str, Holder] = {}


def register(app: str, *, refusal=None, erase=None) -> None:
    """Say what ``app`` does when an account is deleted (once per app; a second call replaces the first)."""
    HOLDERS[app] = Holder(app=app, refusal=refusal, erase=erase)


def deletion_refusal(user: User) -> str | None:
    """The first reason an app gives why ``user`` cannot delete their own account, or None."""
    for holder in HOLDERS.values():
        if holder.refusal and (reason := holder.refusal(user)):
            return reason
    return None


def erase(user: User) -> None:
    """Let every app remove what it holds of ``user`` that is personal."""
    for holder in HOLDERS.values():
        if holder.erase:
            holder.erase(user)

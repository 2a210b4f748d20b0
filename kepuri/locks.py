"""A lock across processes and app servers, held for the length of a block."""

import contextlib
import logging

from django.db import DatabaseError, connection

logger = logging.getLogger(__name__)


@contextlib.contextmanager
def try_lock(name: str):
    """Yield whether the lock ``name`` was taken; never waits for it.

    PostgreSQL: a session advisory lock, so that work longer than one transaction
    (a day's reminders, written in chunks) holds it throughout; a process killed
    meanwhile loses its connection and the lock with it, so nobody waits on a
    dead holder. Elsewhere (SQLite: one process, tests and the demo) it is always
    taken.
    """
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(hashtext(%s))", [name])
        taken = cursor.fetchone()[0]
    try:
        yield taken
    finally:
        if taken:
            # The database may have restarted under the block: its lock went with the old session.
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(hashtext(%s))", [name])
            except DatabaseError:
                logger.warning("Could not release the lock %s: the connection was lost", name)

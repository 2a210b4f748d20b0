"""Health for load balancers: /health/live/ (the process answers) and /health/ready/ (it can serve).

Answered by a middleware ahead of the host check and the HTTPS redirect: a load
balancer probes by address over plain HTTP, and must get the answer, not a 400
or a 301. The answers name what was checked and whether it holds, never a host,
a version or an error's text.
"""

import logging

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse

logger = logging.getLogger(__name__)

LIVE, READY = "/health/live/", "/health/ready/"


def _database() -> bool:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone() == (1,)


def _cache() -> bool:
    client = getattr(cache, "client", None)
    if client is not None and hasattr(client, "get_client"):  # django-redis: ask the server itself
        return bool(client.get_client().ping())
    return True  # the process's own memory


def _migrations() -> bool:
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    return not executor.migration_plan(executor.loader.graph.leaf_nodes())


CHECKS = {"database": _database, "cache": _cache, "migrations": _migrations}


def readiness() -> dict[str, bool]:
    """Each check's verdict; a check that raises has failed (logged, not shown)."""
    verdicts = {}
    for name, check in CHECKS.items():
        try:
            verdicts[name] = check()
        except Exception:
            logger.exception("Readiness check %s failed", name)
            verdicts[name] = False
        if name == "database" and not verdicts[name]:
            verdicts["migrations"] = False  # cannot be known without the database
            break
    return verdicts


def _answer(body: dict, status: int) -> JsonResponse:
    response = JsonResponse(body, status=status)
    response["Cache-Control"] = "no-store"
    return response


def health_middleware(get_response):
    def middleware(request):
        if request.path == LIVE and request.method in ("GET", "HEAD"):
            return _answer({"ok": True}, 200)
        if request.path == READY and request.method in ("GET", "HEAD"):
            checks = readiness()
            ok = all(checks.values())
            body = {"ok": ok, "checks": {name: "ok" if good else "failed" for name, good in checks.items()}}
            return _answer(body, 200 if ok else 503)
        return get_response(request)

    return middleware

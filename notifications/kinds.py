"""Readable names for message kinds and daily jobs, registered by the apps that own them (the outbox
and the daily runs stay generic)."""

LABELS: dict[str, str] = {}
# Beat's daily jobs (``services.run_daily``): each must finish once a day; the task health says when not.
DAILY_JOBS: dict[str, str] = {}


def register(**labels: str) -> None:
    LABELS.update(labels)


def label(kind: str) -> str:
    return LABELS.get(kind, kind)


def register_daily(**labels: str) -> None:
    DAILY_JOBS.update(labels)

"""Readable names for message kinds, registered by the apps that send them (the outbox stays generic)."""

LABELS: dict[str, str] = {}


def register(**labels: str) -> None:
    LABELS.update(labels)


def label(kind: str) -> str:
    return LABELS.get(kind, kind)

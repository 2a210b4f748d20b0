"""Backup and restore (issue 9, item 5), with the real scripts on PostgreSQL.

``scripts/backup.sh`` dumps the test database and copies the media; ``scripts/restore.sh``
loads them into a new, empty database and a new media folder; the restored database
holds the same activities (a deleted one too, still restorable), the same review log
(still append-only) and the same messages, and needs no migration.
"""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection

from activities import services, transitions
from activities.models import Activity, ReviewDecision
from kepuri.testing import database_url
from tests.factories import UserFactory, make_activity

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

ROOT = Path(django_settings.BASE_DIR)


def connect(name: str):
    s = connection.settings_dict
    return psycopg2.connect(
        dbname=name, user=s["USER"], password=s["PASSWORD"], host=s["HOST"] or None, port=s["PORT"] or None
    )


def run(command, *, check=True, **env):
    """Run a script as an operator would, with only the given settings (no PG* variables of ours)."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    return subprocess.run(
        command,
        cwd=ROOT,
        env={**environment, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=check,
    )


@pytest.fixture
def empty_database(postgres):
    """A new database of its own, dropped at the end whatever happened."""
    name = f"kepuri_restore_{uuid.uuid4().hex[:12]}"
    admin = connect("postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield name
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def poster(activity_code: str, content: bytes) -> str:
    return default_storage.save(f"activities/{activity_code}/poster.jpg", ContentFile(content))


def rows(cursor, sql):
    cursor.execute(sql)
    return cursor.fetchall()


ACTIVITIES = "SELECT id, public_code, name, status, poster, deleted_at IS NOT NULL FROM activities_activity ORDER BY id"
DECISIONS = "SELECT id, activity_id, actor_id, at, from_status, to_status, reason FROM activities_reviewdecision ORDER BY id"
MESSAGES = (
    "SELECT id, recipient_id, kind, key, channel, state, title, body FROM notifications_message ORDER BY id"
)


def test_a_backup_restores_into_an_empty_database_with_the_same_records(
    postgres, settings, tmp_path, empty_database
):
    settings.MEDIA_ROOT = tmp_path / "media"
    organiser, reviewer = UserFactory(phone="13800138000"), UserFactory(phone="13900139000")
    approved = make_activity(organiser, status="pending", name="节水科普进社区", public_code="jieshui2")
    rejected = make_activity(organiser, status="pending", name="天文观测之夜", public_code="tianwen2")
    deleted = make_activity(organiser, status="pending", name="已删除的活动", public_code="shanchu2")
    make_activity(organiser, status="draft", name="还在草稿的活动")
    for activity, content in ((approved, b"jieshui-poster"), (rejected, b"tianwen-poster")):
        Activity.objects.filter(pk=activity.pk).update(poster=poster(activity.public_code, content))
    transitions.approve(activity=approved, by=reviewer)
    transitions.reject(activity=rejected, by=reviewer, reason="请补充活动地址")
    transitions.approve(activity=deleted, by=reviewer)
    services.delete_activity(activity=deleted, user=organiser)  # kept, and restorable from the copy too
    with connection.cursor() as cursor:
        expected = {sql: rows(cursor, sql) for sql in (ACTIVITIES, DECISIONS, MESSAGES)}
    assert [(name, status, gone) for _, _, name, status, _, gone in expected[ACTIVITIES]] == [
        ("节水科普进社区", "approved", False),
        ("天文观测之夜", "rejected", False),
        ("已删除的活动", "approved", True),
        ("还在草稿的活动", "draft", False),
    ]
    assert len(expected[DECISIONS]) == 3 and ReviewDecision.objects.filter(reason="请补充活动地址").exists()
    assert {kind for _, _, kind, *_ in expected[MESSAGES]} == {"decision"} and len(expected[MESSAGES]) == 6

    backup = run(
        ["scripts/backup.sh", str(tmp_path / "backups")],
        DATABASE_URL=database_url(),
        MEDIA_ROOT=str(settings.MEDIA_ROOT),
    )
    folder = Path(backup.stdout.strip().splitlines()[-1])
    assert folder.parent == tmp_path / "backups" and folder.name.startswith("kepuri-")
    assert sorted(p.name for p in folder.iterdir()) == ["SHA256SUMS", "db.dump", "media.tar"]

    restored_media = tmp_path / "restored-media"
    restored_url = database_url(empty_database)
    run(["scripts/restore.sh", str(folder)], DATABASE_URL=restored_url, MEDIA_ROOT=str(restored_media))

    restored = connect(empty_database)
    try:
        with restored.cursor() as cursor:
            assert {sql: rows(cursor, sql) for sql in expected} == expected
            # Still append-only: the trigger came back with the table.
            with pytest.raises(psycopg2.IntegrityError, match="append-only"):
                cursor.execute("DELETE FROM activities_reviewdecision")
        restored.rollback()
    finally:
        restored.close()
    for activity, content in ((approved, b"jieshui-poster"), (rejected, b"tianwen-poster")):
        name = Activity.objects.get(pk=activity.pk).poster.name
        assert (restored_media / name).read_bytes() == content

    # The restored database is at the code's migrations: `migrate` would do nothing.
    check = run(
        [sys.executable, "manage.py", "migrate", "--check"],
        DATABASE_URL=restored_url,
        REDIS_URL="",
        DJANGO_DEBUG="1",
    )
    assert check.returncode == 0

    # A database that already holds tables is refused unless --clean is asked for.
    refused = run(
        ["scripts/restore.sh", str(folder)],
        check=False,
        DATABASE_URL=restored_url,
        MEDIA_ROOT=str(restored_media),
    )
    assert refused.returncode == 1 and "add --clean" in refused.stderr
    run(
        ["scripts/restore.sh", "--clean", str(folder)],
        DATABASE_URL=restored_url,
        MEDIA_ROOT=str(restored_media),
    )
    again = connect(empty_database)
    try:
        with again.cursor() as cursor:
            assert {sql: rows(cursor, sql) for sql in expected} == expected
    finally:
        again.close()

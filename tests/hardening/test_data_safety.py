"""Data safety (issue 9, item 5): the review log is append-only, and what users delete admins restore.

- ``ReviewDecision`` refuses change and removal through the ORM (SQLite and
  PostgreSQL) and, on PostgreSQL, through raw SQL too (a trigger); emptying the
  table as a test's flush does still works.
- What a user can delete — an activity (its organiser) and a comment (its
  author) — is kept, and the admin's 恢复 action brings it back as it was.

The backup and restore of the whole database is in ``test_backup.py``.
"""

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.models import ProtectedError
from django.test import Client

from activities import transitions
from activities.models import Activity, AppendOnlyError, ReviewDecision
from public.models import Comment
from tests.factories import UserFactory, make_activity
from tests.support import text_of

pytestmark = pytest.mark.django_db
XHR = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}


@pytest.fixture
def organiser():
    return UserFactory(phone="13800138000")


@pytest.fixture
def decision(organiser):
    activity = make_activity(organiser, status="pending", name="节水科普进社区")
    return transitions.reject(activity=activity, by=UserFactory(), reason="请补充活动地址")


def logged(decision):
    return list(
        ReviewDecision.objects.filter(pk=decision.pk).values_list("from_status", "to_status", "reason")
    )


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- the review log, through the ORM (both databases) --------------------------------------


def test_an_entry_cannot_be_changed_or_deleted_through_the_model(decision):
    decision.reason = "改写后的原因"
    with pytest.raises(AppendOnlyError):
        decision.save()
    with pytest.raises(AppendOnlyError):
        decision.save(update_fields=["reason"])
    with pytest.raises(AppendOnlyError):
        decision.delete()
    assert logged(decision) == [("pending", "rejected", "请补充活动地址")]


def test_an_entry_cannot_be_changed_or_deleted_through_querysets(decision):
    with pytest.raises(AppendOnlyError):
        ReviewDecision.objects.filter(pk=decision.pk).update(reason="改写后的原因")
    with pytest.raises(AppendOnlyError):
        ReviewDecision.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        decision.activity.decisions.update(to_status="approved")
    with pytest.raises(AppendOnlyError):
        decision.activity.decisions.all().delete()
    decision.reason = "改写后的原因"
    with pytest.raises(AppendOnlyError):
        ReviewDecision.objects.bulk_update([decision], ["reason"])
    assert logged(decision) == [("pending", "rejected", "请补充活动地址")]


def test_a_new_entry_with_an_existing_id_does_not_overwrite_one(decision):
    forged = ReviewDecision(
        pk=decision.pk,
        activity=decision.activity,
        actor=decision.actor,
        from_status="pending",
        to_status="approved",
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        forged.save()
    assert logged(decision) == [("pending", "rejected", "请补充活动地址")]


def test_the_activity_of_a_logged_decision_cannot_be_removed(decision):
    with pytest.raises(ProtectedError):
        Activity.all_objects.get(pk=decision.activity_id).delete()
    assert ReviewDecision.objects.count() == 1


def test_decisions_keep_being_appended(decision):
    activity = Activity.objects.get(pk=decision.activity_id)
    activity.status, activity.waiting_since = Activity.Status.PENDING, activity.decided_at
    activity.save()
    transitions.approve(activity=activity, by=UserFactory())
    assert list(ReviewDecision.objects.order_by("id").values_list("from_status", "to_status")) == [
        ("pending", "rejected"),
        ("pending", "approved"),
    ]


@pytest.mark.django_db(transaction=True)
def test_the_flush_that_ends_a_transactional_test_still_empties_the_log(organiser):
    activity = make_activity(organiser, status="pending")
    transitions.approve(activity=activity, by=UserFactory())
    assert ReviewDecision.objects.count() == 1
    call_command("flush", interactive=False, verbosity=0)  # what the test teardown runs (TRUNCATE on PG)
    assert ReviewDecision.objects.count() == 0 and Activity.all_objects.count() == 0


# --- the review log, below the ORM (PostgreSQL) -------------------------------------------


def refused_sql(sql, params):
    with (
        pytest.raises(IntegrityError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, params)


@pytest.mark.services
def test_raw_sql_cannot_change_or_delete_an_entry(postgres, decision):
    refused_sql(
        "UPDATE activities_reviewdecision SET reason = %s WHERE id = %s", ["改写后的原因", decision.pk]
    )
    refused_sql("UPDATE activities_reviewdecision SET to_status = 'approved'", [])
    refused_sql("DELETE FROM activities_reviewdecision WHERE id = %s", [decision.pk])
    assert logged(decision) == [("pending", "rejected", "请补充活动地址")]


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_the_trigger_migration_is_reversible(postgres, organiser):
    activity = make_activity(organiser, status="pending")
    decision = transitions.approve(activity=activity, by=UserFactory())
    before = ("activities", "0006_public_list_indexes")
    update = "UPDATE activities_reviewdecision SET reason = 'x' WHERE id = %s"
    try:
        MigrationExecutor(connection).migrate([before])
        with connection.cursor() as cursor:
            cursor.execute(update, [decision.pk])  # no trigger: allowed
            cursor.execute("SELECT reason FROM activities_reviewdecision WHERE id = %s", [decision.pk])
            assert cursor.fetchone() == ("x",)
    finally:  # every app forward again: going back unapplied what came after 0007, elsewhere too
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    after = MigrationExecutor(connection).loader
    assert set(after.graph.leaf_nodes()) <= set(after.applied_migrations)  # later tests find every table
    refused_sql(update, [decision.pk])


# --- soft-deleted records come back -----------------------------------------------------------


def test_an_activity_its_organiser_deleted_is_restored_by_an_admin(
    client, organiser, django_capture_on_commit_callbacks
):
    activity = make_activity(organiser, status="approved", name="节水科普进社区", like_count=3)
    transitions_log = ReviewDecision.objects.count()
    fields = [f.attname for f in Activity._meta.concrete_fields if f.name not in ("deleted_at", "deleted_by")]
    before = Activity.objects.filter(pk=activity.pk).values(*fields).get()
    page = f"/a/{activity.public_code}/"
    shown = text_of(client.get(page))
    assert "节水科普进社区" in shown and "节水科普进社区" in text_of(client.get("/activities/"))

    with django_capture_on_commit_callbacks(execute=True):
        response = client_of(organiser).post(f"/activities/{activity.public_code}/delete/")
    assert response.status_code == 302
    assert client.get(page).status_code == 404
    assert "节水科普进社区" not in text_of(client.get("/activities/"))
    assert "节水科普进社区" not in text_of(client_of(organiser).get("/center/"))

    admin = client_of(UserFactory(is_staff=True, is_superuser=True))
    assert "节水科普进社区" in text_of(admin.get("/admin/activities/activity/?deleted_at=yes"))
    with django_capture_on_commit_callbacks(execute=True):
        admin.post("/admin/activities/activity/", {"action": "restore", "_selected_action": [activity.pk]})

    restored = Activity.objects.filter(pk=activity.pk)
    assert restored.values(*fields).get() == before
    assert restored.values_list("deleted_at", "deleted_by").get() == (None, None)
    assert text_of(client.get(page)) == shown
    assert "节水科普进社区" in text_of(client.get("/activities/"))
    assert "节水科普进社区" in text_of(client_of(organiser).get("/center/"))
    assert ReviewDecision.objects.count() == transitions_log


def test_a_comment_its_author_deleted_is_restored_by_an_admin(
    client, organiser, django_capture_on_commit_callbacks
):
    activity = make_activity(organiser, status="approved")
    member = UserFactory(phone="13700137000")
    author = client_of(member)
    page = f"/a/{activity.public_code}/"
    with django_capture_on_commit_callbacks(execute=True):
        author.post(f"{page}comments/", {"text": "讲得很好，孩子很喜欢"}, **XHR)
    comment = Comment.objects.get()
    before = Comment.objects.filter(pk=comment.pk).values().get()
    assert "讲得很好，孩子很喜欢" in text_of(client.get(page))

    with django_capture_on_commit_callbacks(execute=True):
        answer = author.post(f"{page}comments/{comment.pk}/delete/", **XHR).json()
    assert answer["counts"]["comments"] == 0
    assert "讲得很好，孩子很喜欢" not in text_of(client.get(page))

    admin = client_of(UserFactory(is_staff=True, is_superuser=True))
    assert "讲得很好，孩子很喜欢" in text_of(admin.get("/admin/public/comment/?deleted_at=yes"))
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            "/admin/public/comment/", {"action": "restore", "_selected_action": [comment.pk]}, follow=True
        )
    assert "已恢复 1 条评论。" in text_of(response)

    assert Comment.objects.filter(pk=comment.pk).values().get() == before
    assert "讲得很好，孩子很喜欢" in text_of(client.get(page))
    assert Activity.objects.get(pk=activity.pk).comment_count == 1
    # Restoring again changes nothing (the count is not moved twice).
    admin.post("/admin/public/comment/", {"action": "restore", "_selected_action": [comment.pk]})
    assert Activity.objects.get(pk=activity.pk).comment_count == 1


def test_a_comment_hidden_before_its_author_deleted_it_comes_back_hidden(organiser):
    from public import services

    activity = make_activity(organiser, status="approved")
    member = UserFactory(phone="13700137000")
    comment = services.add_comment(user=member, activity=activity, text="广告内容")
    services.set_comment_hidden(user=organiser, comment=comment, hidden=True)
    services.delete_comment(user=member, comment=Comment.objects.get(pk=comment.pk))
    assert services.restore_comment(comment=comment) is True
    restored = Comment.objects.get(pk=comment.pk)
    assert restored.deleted_at is None and restored.hidden_at is not None and restored.hidden_by == organiser
    assert Activity.objects.get(pk=activity.pk).comment_count == 0
    assert not Comment.objects.visible().exists()

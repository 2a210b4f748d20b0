"""The review queue at national scale (reviews.queue): its indexes, and the reviewers' search.

PostgreSQL gets partial indexes over what reviewers see (submitted, not deleted)
in the queue's order — what waits first, oldest first, then the newest
submissions, nulls last as the queue sorts them — alone, by unit and by city;
and one on the activity's start for the date filters. Raw SQL because SQLite
refuses NULLS LAST in an index; there the queue is small.

The search the queue offers is the public's character-pair index
(``activities.search``), which until now was filled on approval only: the
submitted reports that wait or were refused get theirs here, and every
submission fills it from now on.
"""

from django.db import migrations

SUBMITTED = "status <> 'draft' AND deleted_at IS NULL"
ORDER = "waiting_since ASC NULLS LAST, submitted_at DESC NULLS LAST, id"
INDEXES = {
    # with the columns the scopes test, so that counting what waits reads the index alone
    "activity_review_queue": f"({ORDER}) INCLUDE (owner_unit_id, region_id)",
    "activity_review_by_unit": f"(owner_unit_id, {ORDER})",
    "activity_review_by_city": f"(region_id, {ORDER})",
    "activity_review_by_start": "(starts_at)",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, columns in INDEXES.items():
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {name} ON activities_activity {columns} WHERE {SUBMITTED}"
            )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


def fill_search_text(apps, schema_editor):
    from activities.search import search_text  # a pure function of the texts

    Activity = apps.get_model("activities", "Activity")
    rows = Activity.objects.filter(status__in=["pending", "rejected"], search_text="").only(
        "name", "org_name", "hosts"
    )
    batch = []
    for activity in rows.iterator(chunk_size=2000):
        activity.search_text = search_text(activity.name, activity.org_name, *activity.hosts)
        batch.append(activity)
        if len(batch) == 2000:
            Activity.objects.bulk_update(batch, ["search_text"])
            batch = []
    Activity.objects.bulk_update(batch, ["search_text"])


class Migration(migrations.Migration):
    dependencies = [("activities", "0007_review_log_append_only")]

    operations = [
        migrations.RemoveIndex(model_name="activity", name="activity_review_order"),
        migrations.RunPython(create, drop),
        migrations.RunPython(fill_search_text, migrations.RunPython.noop),
    ]

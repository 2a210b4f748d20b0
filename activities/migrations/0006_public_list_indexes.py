"""PostgreSQL: partial indexes in the public list's order (newest approved first), for all and by city.

Raw SQL because SQLite refuses NULLS LAST in an index; there the list is small.
"""

from django.db import migrations

LISTED = "status = 'approved' AND is_public AND deleted_at IS NULL"
INDEXES = {
    "activity_listed": "(decided_at DESC NULLS LAST, id DESC)",
    "activity_listed_by_city": "(region_id, decided_at DESC NULLS LAST, id DESC)",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, columns in INDEXES.items():
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {name} ON activities_activity {columns} WHERE {LISTED}"
            )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("activities", "0005_public_counters")]

    operations = [migrations.RunPython(create, drop)]

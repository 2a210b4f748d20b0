"""PostgreSQL: the review log refuses UPDATE and DELETE of its rows, whoever asks.

The model refuses too (``ReviewDecision.save``/``delete`` and its queryset), but
raw SQL, a shell or another client would go around it; the trigger does not.
It is a row trigger, so TRUNCATE (a test's flush, ``pg_restore --clean``'s
DROP) still empties the table. SQLite gets the model's refusal only.
"""

from django.db import migrations

TABLE = "activities_reviewdecision"
FUNCTION = "activities_reviewdecision_append_only"
TRIGGER = "reviewdecision_append_only"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"""
        CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'the review log (%) is append-only: % refused', TG_TABLE_NAME, TG_OP
                USING ERRCODE = 'integrity_constraint_violation';
        END;
        $$
        """,
        None,  # no parameters: the % signs are RAISE's
    )
    schema_editor.execute(
        f"CREATE TRIGGER {TRIGGER} BEFORE UPDATE OR DELETE ON {TABLE} "
        f"FOR EACH ROW EXECUTE FUNCTION {FUNCTION}()"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON {TABLE}")
    schema_editor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")


class Migration(migrations.Migration):
    dependencies = [("activities", "0006_public_list_indexes")]

    operations = [migrations.RunPython(create, drop)]

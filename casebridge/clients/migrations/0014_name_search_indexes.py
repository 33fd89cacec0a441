"""On PostgreSQL, indexes for the caseload's search by part of a name (trigrams, pg_trgm), by
case number and by digits of the phone or case number, so a search reads the clients whose names match rather than every client.
Where the database refuses the extension, the search still works, reading every client."""

from django.db import DatabaseError, migrations, transaction

NAMES = ("legal_first_name", "legal_last_name", "preferred_name")
DIGITS = ("phone", "case_number")


def add(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        try:
            with transaction.atomic(using=connection.alias):
                cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except DatabaseError:
            return
        for column in NAMES:
            # The expression the ORM's icontains writes: UPPER(column::text) LIKE UPPER(...).
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS client_{column}_parts ON clients_client "
                f"USING gin ((UPPER({column}::text)) gin_trgm_ops)"
            )
        cursor.execute(
            "CREATE INDEX IF NOT EXISTS client_case_number_any_case ON clients_client "
            "((UPPER(case_number::text)))"
        )
        for column in DIGITS:
            # Four digits or more: part of the phone number, the end of the case number.
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS client_{column}_digits ON clients_client "
                f"USING gin (({column}::text) gin_trgm_ops)"
            )


def remove(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for column in NAMES:
            cursor.execute(f"DROP INDEX IF EXISTS client_{column}_parts")
        cursor.execute("DROP INDEX IF EXISTS client_case_number_any_case")
        for column in DIGITS:
            cursor.execute(f"DROP INDEX IF EXISTS client_{column}_digits")


class Migration(migrations.Migration):
    dependencies = [("clients", "0013_open_cases_per_manager")]

    operations = [migrations.RunPython(add, remove)]

"""On PostgreSQL, indexes for the caseload's search by part of a name (trigrams, pg_trgm), by
case number and by digits of the phone or case number, so a search reads the clients whose
names match rather than every client.

Built CONCURRENTLY (outside a transaction) so saving clients goes on while they build on a big
table. Where the database refuses the extension, the search still works, reading every client;
the migration says so, and after `CREATE EXTENSION pg_trgm` by the database's owner,
`casebridge migrate clients 0013` then `casebridge migrate` builds them."""

import sys

from django.db import DatabaseError, migrations, transaction

NAMES = ("legal_first_name", "legal_last_name", "preferred_name")
DIGITS = ("phone", "case_number")


def add(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS client_case_number_any_case "
            "ON clients_client ((UPPER(case_number::text)))"
        )
        try:
            with transaction.atomic(using=connection.alias):
                cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except DatabaseError as refused:
            sys.stderr.write(
                "\nThe database refused the pg_trgm extension, so searching by part of a name "
                f"reads every client ({str(refused).strip()}). See the migration's notes.\n"
            )
            return
        for column in NAMES:
            # The expression the ORM's icontains writes: UPPER(column::text) LIKE UPPER(...).
            cursor.execute(
                f"CREATE INDEX CONCURRENTLY IF NOT EXISTS client_{column}_parts "
                f"ON clients_client USING gin ((UPPER({column}::text)) gin_trgm_ops)"
            )
        for column in DIGITS:
            # Four digits or more: part of the phone number, the end of the case number.
            cursor.execute(
                f"CREATE INDEX CONCURRENTLY IF NOT EXISTS client_{column}_digits "
                f"ON clients_client USING gin (({column}::text) gin_trgm_ops)"
            )


def remove(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for column in NAMES:
            cursor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS client_{column}_parts")
        for column in DIGITS:
            cursor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS client_{column}_digits")
        cursor.execute("DROP INDEX CONCURRENTLY IF EXISTS client_case_number_any_case")


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [("clients", "0013_open_cases_per_manager")]

    operations = [migrations.RunPython(add, remove)]

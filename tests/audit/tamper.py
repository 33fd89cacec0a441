"""Changing the audit tables as someone holding the database login would: on PostgreSQL as a
superuser who switches triggers off for the moment (so the append-only trigger does not fire)."""

from typing import Any

from django.db import connection


def raw_sql(sql: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Check the foreign keys of rows inserted so far now: PostgreSQL refuses to drop or
            # truncate a table with such checks pending.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params or [])
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")

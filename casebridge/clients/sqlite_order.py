"""On SQLite, indexes for the caseload's two orders that put clients with no contact due last.

SQLite sorts a missing value first, so "soonest first, none last" is not the order of the
caseload_by_urgency and caseload_by_next_due indexes there: it read a team in the index only as
far as the safety flag and then sorted every other client (a whole agency, on a supervisor's
page). These indexes hold the same columns with "no contact due" as a column of its own before
the date, the order the caseload asks SQLite for (clients.queries). PostgreSQL sorts a missing
value last, as its indexes hold it; nothing is made there.

Made after every migrate, as clients.name_search is: SQLite rebuilds the clients table to
alter it and keeps only the indexes the models declare."""

from collections.abc import Iterable
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper

INDEXES = {
    "caseload_by_urgency_nulls_last": (
        "organisation_id, has_open_safety_flag DESC, (next_contact_due_at IS NULL), "
        "next_contact_due_at, legal_last_name, legal_first_name, id"
    ),
    "caseload_by_next_due_nulls_last": (
        "organisation_id, (next_contact_due_at IS NULL), next_contact_due_at, "
        "legal_last_name, legal_first_name, id"
    ),
}


# The columns the indexes hold: where a migrate has not made them yet (or took them away),
# nothing is made.
COLUMNS = {"organisation_id", "has_open_safety_flag", "next_contact_due_at"}


def install(connection: BaseDatabaseWrapper) -> None:
    """Make the indexes that are missing. Where the database keeps statistics (ANALYZE ran), the
    clients table is analysed again once one was made: SQLite weighs an index it has no
    statistics for as if it were the best there is (a case manager's caseload was read through
    the whole organisation's), and a rebuilt table has lost every index's."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'index')")
        present = {row[0] for row in cursor.fetchall()}
        if "clients_client" not in present:  # a migrate that has not made the clients yet
            return
        columns = {
            c.name for c in connection.introspection.get_table_description(cursor, "clients_client")
        }
        if COLUMNS - columns:
            return
        missing = [name for name in INDEXES if name not in present]
        for name in missing:
            cursor.execute(f"CREATE INDEX {name} ON clients_client ({INDEXES[name]})")
        if missing and "sqlite_stat1" in present:
            cursor.execute("ANALYZE clients_client")


def set_aside(connection: BaseDatabaseWrapper, plan: Iterable[tuple[Any, bool]]) -> None:
    """Before a migrate that changes the clients app: drop the indexes, which no migration knows
    of (SQLite will not drop a column an index holds); install() makes them again after it."""
    if connection.vendor != "sqlite" or not any(m.app_label == "clients" for m, _ in plan):
        return
    with connection.cursor() as cursor:
        for name in INDEXES:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")

"""On SQLite, indexes for the caseload's two orders that put clients with no contact due last.

SQLite sorts a missing value first, so "soonest first, none last" is not the order of the
caseload_by_urgency and caseload_by_next_due indexes there: it read a team in the index only as
far as the safety flag and then sorted every other client (a whole agency, on a supervisor's
page). These indexes hold the same columns with "no contact due" as a column of its own before
the date, the order the caseload asks SQLite for (clients.queries). PostgreSQL sorts a missing
value last, as its indexes hold it; nothing is made there.

Made after every migrate, as clients.name_search is: SQLite rebuilds the clients table to
alter it and keeps only the indexes the models declare."""

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


def install(connection: BaseDatabaseWrapper) -> None:
    """Make the indexes that are missing. Where the database keeps statistics (ANALYZE ran), a
    new index gets its own: SQLite weighs an index it has none for against those it has as if
    it were the best of them, and read a case manager's caseload through the whole
    organisation's."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT type, name FROM sqlite_master WHERE type IN ('table', 'index')")
        present = {name for _, name in cursor.fetchall()}
        if "clients_client" not in present:  # a migrate that has not made the clients yet
            return
        for name, columns in INDEXES.items():
            if name in present:
                continue
            cursor.execute(f"CREATE INDEX {name} ON clients_client ({columns})")
            if "sqlite_stat1" in present:
                cursor.execute(f"ANALYZE {name}")

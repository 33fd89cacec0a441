"""On SQLite, a search by part of a name, case number or phone reads a trigram index (an FTS5
table kept by triggers) instead of every client. PostgreSQL has its own (clients migration 0014).

The index only narrows: the search's own conditions still decide, so a search finds exactly
the clients it finds without the index. Where SQLite was built without FTS5, or for words too
short for trigrams (under three letters), the search reads every client as before.

The table and its triggers are (re)made after every `migrate`: SQLite rebuilds a table to alter
it, and the rebuilt table has lost its triggers; the index is then filled again from the clients.
"""

from typing import Any

from django.db import DatabaseError
from django.db.backends.base.base import BaseDatabaseWrapper

TABLE = "clients_client_search"
CLIENTS = "clients_client"
COLUMNS = ("legal_first_name", "legal_last_name", "preferred_name", "case_number", "phone")
NAMES = ("legal_first_name", "legal_last_name", "preferred_name")
TRIGGERS = {
    f"{TABLE}_added": "AFTER INSERT",
    f"{TABLE}_removed": "AFTER DELETE",
    f"{TABLE}_changed": f"AFTER UPDATE OF {', '.join(COLUMNS)}",
}
SHORTEST = 3  # a trigram index can only look up three characters or more

# Whether each SQLite database (by its name) has the index, asked once per process.
_installed: dict[str, bool] = {}


def _values(row: str) -> str:
    return ", ".join(f"{row}.{column}" for column in COLUMNS)


def _trigger_bodies() -> dict[str, str]:
    listed = ", ".join(COLUMNS)
    # Only this module's own table and column names go into the text.
    add = f"INSERT INTO {TABLE}(rowid, {listed}) VALUES (new.id, {_values('new')});"  # noqa: S608
    remove = (
        f"INSERT INTO {TABLE}({TABLE}, rowid, {listed}) "  # noqa: S608
        f"VALUES ('delete', old.id, {_values('old')});"
    )
    return {
        f"{TABLE}_added": add,
        f"{TABLE}_removed": remove,
        f"{TABLE}_changed": remove + " " + add,
    }


def install(connection: BaseDatabaseWrapper) -> bool:
    """Make the index and its triggers where they are missing (filling the index from the
    clients when anything was made). False where SQLite has no FTS5."""
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        present = _present(cursor)
        if CLIENTS not in present:  # a migrate that has not made the clients yet
            return False
        if {TABLE, *TRIGGERS} <= present:
            _installed[connection.settings_dict["NAME"]] = True
            return True
        try:
            if TABLE not in present:
                cursor.execute(
                    f"CREATE VIRTUAL TABLE {TABLE} USING fts5({', '.join(COLUMNS)}, "
                    f"content='{CLIENTS}', content_rowid='id', tokenize='trigram')"
                )
        except DatabaseError:  # built without FTS5 (or without its trigram tokenizer)
            _installed[connection.settings_dict["NAME"]] = False
            return False
        bodies = _trigger_bodies()
        for name, when in TRIGGERS.items():
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            cursor.execute(f"CREATE TRIGGER {name} {when} ON {CLIENTS} BEGIN {bodies[name]} END")
        cursor.execute(f"INSERT INTO {TABLE}({TABLE}) VALUES ('rebuild')")  # noqa: S608
    _installed[connection.settings_dict["NAME"]] = True
    return True


def installed(connection: BaseDatabaseWrapper) -> bool:
    name = connection.settings_dict["NAME"]
    if name not in _installed:
        with connection.cursor() as cursor:
            _installed[name] = {TABLE, *TRIGGERS} <= _present(cursor)
    return _installed[name]


def _present(cursor: Any) -> set[str]:
    """Which of the clients table, the index and its triggers the database has."""
    cursor.execute(
        "SELECT name FROM sqlite_master WHERE name IN (%s, %s, %s, %s, %s)",
        [CLIENTS, TABLE, *TRIGGERS],
    )
    return {row[0] for row in cursor.fetchall()}


def _phrase(columns: tuple[str, ...], text: str) -> str:
    return "{" + " ".join(columns) + '} : "' + text.replace('"', '""') + '"'


def narrowing(term: str, parts: list[str], digits: str) -> str | None:
    """An FTS5 query that finds at least every client clients.queries.search_match finds for
    these words (a client can only contain the words if their trigrams are in the index), or
    None when the words are too short for trigrams."""
    if len(term) < SHORTEST:
        return None
    either = [_phrase((*NAMES, "case_number"), term)]
    if len(parts) == 2:
        # First (or preferred) name containing one part and last name the other.
        first, last = parts
        if len(last) >= SHORTEST:
            either.append(_phrase(("legal_last_name",), last))
        elif len(first) >= SHORTEST:
            either.append(_phrase(("legal_first_name", "preferred_name"), first))
        else:
            return None
    if len(digits) >= 4:
        either.append(_phrase(("phone", "case_number"), digits))
    return " OR ".join(either)


def matching_ids(query: str) -> tuple[str, list[Any]]:
    """SQL (and its parameter) for the ids of the clients the index holds for `query`."""
    return f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s", [query]  # noqa: S608

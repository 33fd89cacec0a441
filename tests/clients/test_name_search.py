"""On SQLite, a search reads a trigram table (clients.name_search) first, and finds exactly the
clients it finds reading every client, however the names change."""

import re

import pytest
from django.core.management import call_command
from django.db import connection

from casebridge.clients import name_search
from casebridge.clients.models import Client
from casebridge.clients.queries import search_match
from tests.factories import ClientFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's trigram table"),
]

NAMES = [
    ("Jamie", "Rivera", "", "+1 555 201 3344"),
    ("Zoë", "Müller", "Zo", "555-201-9999"),
    ("María José", "O'Neil", "MJ", "5552019988"),
    ('Dee "DJ"', "Jones", "", ""),
    ("Al", "Li", "Ali", "(555) 777-0001"),
    ("Robert", "Smith-Rivera", "Bobby", "5551234567"),
]
TERMS = [
    "riv",
    "RIVERA",
    "Jamie Rivera",
    "jamie riv",
    "Bobby Smith",
    "Bo Sm",
    "Al Li",
    "zoë",
    "ZOË",
    "müll",
    "o'neil",
    '"DJ"',
    'DJ"',
    "ali",
    "li",
    "a",
    "5551234",
    "3344",
    "201",
    "555 201",
    "%",
    "_",
    "ri%a",
    "NEAR(a b)",
    "nobody at all",
]


@pytest.fixture
def clients(world):
    made = [
        ClientFactory(
            organisation=world.org,
            program=world.program,
            legal_first_name=first,
            legal_last_name=last,
            preferred_name=preferred,
            phone=phone,
        )
        for first, last, preferred, phone in NAMES
    ]
    return [world.client, *made]


def _found(term, *, indexed):
    key = connection.settings_dict["NAME"]
    was = name_search._installed.get(key)
    name_search._installed[key] = indexed
    try:
        return set(Client.objects.filter(search_match(term)).values_list("pk", flat=True))
    finally:
        if was is None:
            name_search._installed.pop(key, None)
        else:
            name_search._installed[key] = was


def test_the_table_and_its_triggers_are_there_after_migrate(db):
    assert name_search.installed(connection)


@pytest.mark.parametrize("term", TERMS)
def test_a_search_finds_the_same_clients_with_the_table_as_without(clients, term):
    assert _found(term, indexed=True) == _found(term, indexed=False)


def test_the_search_reads_the_table_not_every_client(clients):
    sql, params = Client.objects.filter(search_match("Rivera")).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
    assert f"SCAN {name_search.TABLE} VIRTUAL TABLE INDEX" in plan, plan
    assert "SEARCH clients_client USING INTEGER PRIMARY KEY" in plan, plan
    assert not re.search(r"SCAN clients_client\b(?!_)", plan), plan
    assert _found("Rivera", indexed=True) == {
        c.pk for c in clients if "Rivera" in c.legal_last_name
    }


def test_renamed_removed_and_added_clients_are_found_as_they_are_now(clients):
    jamie = clients[1]
    jamie.legal_last_name = "Okafor"
    jamie.save()
    assert jamie.pk not in _found("Rivera", indexed=True)
    assert jamie.pk in _found("okaf", indexed=True)
    Client.objects.filter(pk=jamie.pk).update(legal_first_name="Jo")  # not through save()
    assert jamie.pk in _found("Jo Okafor", indexed=True)
    clients[2].delete()
    assert _found("müll", indexed=True) == set()
    added = ClientFactory(legal_first_name="Priya", legal_last_name="Rivera")
    assert added.pk in _found("Rivera", indexed=True)


def test_a_rebuilt_clients_table_gets_its_triggers_and_index_back(clients):
    """SQLite alters a table by rebuilding it, which drops its triggers: migrate puts them back
    and fills the index again."""
    with connection.cursor() as cursor:
        for trigger in name_search.TRIGGERS:
            cursor.execute(f"DROP TRIGGER {trigger}")
        cursor.execute(f"DELETE FROM {name_search.TABLE}_data WHERE id > 1")
    name_search._installed.pop(connection.settings_dict["NAME"], None)
    assert not name_search.installed(connection)
    renamed = ClientFactory(legal_first_name="Nadia", legal_last_name="Haddad")
    call_command("migrate", verbosity=0)
    assert name_search.installed(connection)
    assert _found("Haddad", indexed=True) == {renamed.pk}
    for term in TERMS:
        assert _found(term, indexed=True) == _found(term, indexed=False), term


def test_a_migrate_that_has_not_made_the_clients_yet_makes_nothing(db):
    from django.db.backends.sqlite3.base import DatabaseWrapper

    empty = DatabaseWrapper({**connection.settings_dict, "NAME": ":memory:"}, alias="empty")
    try:
        assert name_search.install(empty) is False
        with empty.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM sqlite_master")
            assert cursor.fetchone()[0] == 0
    finally:
        empty.close()

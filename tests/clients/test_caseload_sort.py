"""Sorting the caseload by what is most urgent, and narrowing it to overdue contacts.

The program's rule says a contact is due 14 days after the last one (or after registration when
there has been none). A contact is overdue once the day it was due has passed: a contact due
today, even at midnight, is not overdue yet."""

from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from casebridge.clients import queries
from casebridge.clients.models import Client, ClientFlag
from casebridge.clients.queries import CaseloadFilters, CaseloadSort
from tests.factories import ClientFactory, ProgramFactory


def _start_of_today() -> datetime:
    return timezone.make_aware(datetime.combine(timezone.localdate(), time.min))


@pytest.fixture
def caseload(world):
    """Alice's clients, each at a boundary of the rule (names say where their contact stands)."""
    now = timezone.now()
    midnight = _start_of_today()
    people = {}

    def person(first, *, last_contact=None, registered=None, **fields):
        fields.setdefault("program", world.program)
        record = ClientFactory(
            legal_first_name=first,
            legal_last_name="Case",
            primary_case_manager=world.alice,
            registered_by=world.ivy,
            last_contact_at=last_contact,
            **fields,
        )
        if registered is not None:
            Client.objects.filter(pk=record.pk).update(registered_at=registered)
        people[first] = record
        return record

    # The world's two clients, moved out of the way of the boundaries below.
    Client.objects.filter(pk=world.client.pk).update(last_contact_at=now - timedelta(days=3))
    Client.objects.filter(pk=world.engagement_client.pk).update(
        last_contact_at=now - timedelta(days=5)
    )
    person("Sixteen", last_contact=now - timedelta(days=30))  # due 16 days ago
    person("Never", registered=now - timedelta(days=20))  # no contact yet: due 6 days ago
    person("Minute", last_contact=midnight - timedelta(days=14, minutes=1))  # due 23:59 yesterday
    person("Midnight", last_contact=midnight - timedelta(days=14))  # due at 00:00 today
    person("Later", last_contact=now - timedelta(days=14) + timedelta(minutes=1))  # due today
    person("Thirteen", last_contact=now - timedelta(days=1))  # due in 13 days
    safe = person("Safety", last_contact=now - timedelta(days=4))  # due in 10 days, flagged
    ClientFlag.objects.create(client=safe, kind="safety", raised_by=world.alice)
    cleared = person("Cleared", last_contact=now - timedelta(days=2))  # due in 12 days
    ClientFlag.objects.create(
        client=cleared, kind="safety", raised_by=world.alice, cleared_at=now, cleared_by=world.alice
    )
    risky = person("Risky", last_contact=now - timedelta(days=6))  # due in 8 days
    ClientFlag.objects.create(client=risky, kind="high_risk", raised_by=world.alice)
    # No contact is expected of a closed case, nor in a program without a rule for the model.
    person("Closed", last_contact=now - timedelta(days=90), stage="conclusion")
    person(
        "Unruled",
        last_contact=now - timedelta(days=90),
        program=ProgramFactory(organisation=world.org, name="No rules"),
    )
    return people


def order(world, **filters) -> list[str]:
    return [
        client.legal_first_name
        for client in queries.caseload(world.alice, CaseloadFilters(**filters))
    ]


def test_urgency_puts_open_safety_flags_first_then_the_most_overdue_then_the_soonest_due(
    world, caseload
):
    assert order(world, sort=CaseloadSort.URGENCY) == [
        "Safety",
        "Sixteen",
        "Never",
        "Minute",
        "Midnight",
        "Later",
        "Risky",
        "Morgan",  # due in 9 days
        "Jamie",  # due in 11 days
        "Cleared",  # a cleared flag counts for nothing
        "Thirteen",
        "Closed",  # nothing due: last, by name
        "Unruled",
    ]


def test_several_safety_flags_are_ordered_by_their_due_contact(world, caseload):
    ClientFlag.objects.create(client=caseload["Thirteen"], kind="safety", raised_by=world.alice)
    ClientFlag.objects.create(client=caseload["Closed"], kind="safety", raised_by=world.alice)
    assert order(world, sort=CaseloadSort.URGENCY)[:4] == [
        "Safety",
        "Thirteen",
        "Closed",
        "Sixteen",
    ]


def test_urgency_is_the_default_order(world, caseload):
    assert order(world) == order(world, sort=CaseloadSort.URGENCY)


def test_overdue_only_keeps_contacts_due_before_today(world, caseload):
    assert order(world, overdue=True) == ["Sixteen", "Never", "Minute"]


def test_overdue_only_puts_an_open_safety_concern_first_and_leaves_out_nothing_due(world, caseload):
    ClientFlag.objects.create(client=caseload["Minute"], kind="safety", raised_by=world.alice)
    assert order(world, overdue=True) == ["Minute", "Sixteen", "Never"]
    assert order(world, overdue=True, sort=CaseloadSort.NEXT_DUE) == ["Sixteen", "Never", "Minute"]
    # A client with nothing due is never overdue, however the list is sorted.
    for sort in CaseloadSort:
        assert "Closed" not in order(world, overdue=True, sort=sort)


def test_overdue_only_keeps_the_chosen_order_and_other_filters(world, caseload):
    assert order(world, overdue=True, sort=CaseloadSort.NAME) == ["Minute", "Never", "Sixteen"]
    ClientFlag.objects.create(client=caseload["Never"], kind="court", raised_by=world.alice)
    assert order(world, overdue=True, flag="court") == ["Never"]


def test_sort_by_name(world, caseload):
    Client.objects.filter(pk=caseload["Never"].pk).update(legal_last_name="Abbott")
    assert order(world, sort=CaseloadSort.NAME) == [
        "Never",  # Abbott
        "Cleared",
        "Closed",
        "Later",
        "Midnight",
        "Minute",
        "Risky",
        "Safety",
        "Sixteen",
        "Thirteen",
        "Unruled",
        "Morgan",  # Lee
        "Jamie",  # Rivera
    ]


def test_sort_by_case_number(world, caseload):
    numbers = [
        client.case_number
        for client in queries.caseload(world.alice, CaseloadFilters(sort=CaseloadSort.CASE_NUMBER))
    ]
    assert numbers == sorted(numbers) and len(numbers) == 13


def test_sort_by_last_contact_puts_the_longest_without_contact_first(world, caseload):
    names = order(world, sort=CaseloadSort.LAST_CONTACT)
    assert names == [
        "Never",  # no contact yet comes first
        "Closed",
        "Unruled",
        "Sixteen",
        "Minute",
        "Midnight",
        "Later",
        "Risky",
        "Morgan",
        "Safety",
        "Jamie",
        "Cleared",
        "Thirteen",
    ]


def test_sort_by_next_due_ignores_flags(world, caseload):
    assert order(world, sort=CaseloadSort.NEXT_DUE) == [
        "Sixteen",
        "Never",
        "Minute",
        "Midnight",
        "Later",
        "Risky",
        "Morgan",
        "Safety",
        "Jamie",
        "Cleared",
        "Thirteen",
        "Closed",
        "Unruled",
    ]


def test_the_due_date_sorted_by_is_the_one_the_page_shows(client, world, caseload):
    client.force_login(world.alice)
    for record, due in client.get("/caseload/").context["rows"]:
        contact = [item.due_on for item in due if item.label == "Contact"]
        expected = record.next_contact_due_at
        assert contact == ([timezone.localdate(expected)] if expected else []), record


def test_a_rule_changed_in_settings_counts_at_once(world, caseload):
    rule = world.program.model_rules.get()
    rule.contact_every_days = 40
    rule.save()
    assert order(world, overdue=True) == []
    rule.delete()
    assert order(world)[:3] == ["Safety", "Cleared", "Closed"]  # nothing due: then by name


def test_the_caseload_page_sorts_and_filters(client, world, caseload):
    client.force_login(world.alice)
    page = client.post("/caseload/", {"sort": "urgency", "overdue": "on"})
    assert [c.legal_first_name for c, _ in page.context["rows"]] == ["Sixteen", "Never", "Minute"]
    body = page.content.decode()
    assert 'name="sort"' in body and 'name="overdue"' in body
    by_name = client.get("/caseload/", {"sort": "name"})
    assert by_name.context["rows"][0][0].legal_first_name == "Cleared"
    default = client.get("/caseload/")
    assert default.context["rows"][0][0].legal_first_name == "Safety"


def test_an_unknown_sort_is_refused_like_any_bad_filter(client, world, caseload):
    client.force_login(world.alice)
    response = client.get("/caseload/", {"sort": "legal_last_name; drop table"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_paging_keeps_the_sort_and_the_overdue_filter(client, world):
    long_ago = timezone.now() - timedelta(days=40)
    for n in range(55):
        ClientFactory(
            program=world.program,
            primary_case_manager=world.alice,
            registered_by=world.ivy,
            legal_first_name=f"Overdue{n:02d}",
            last_contact_at=long_ago + timedelta(hours=n),
        )
    client.force_login(world.alice)
    second = client.post("/caseload/", {"sort": "next_due", "overdue": "on", "page": "2"})
    assert [c.legal_first_name for c, _ in second.context["rows"]] == [
        f"Overdue{n:02d}" for n in range(50, 55)
    ]


def _caseload_queries(client, data) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.post("/caseload/", data)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "data",
    [
        {"sort": "urgency"},
        {"sort": "urgency", "overdue": "on"},
        {"sort": "next_due"},
        {"sort": "last_contact", "flag": "safety"},
    ],
)
def test_the_query_count_does_not_grow_with_the_caseload(client, world, due_not_kept, data):
    def grow_to(size):
        while Client.objects.filter(primary_case_manager=world.alice).count() < size:
            n = Client.objects.count()
            extra = ClientFactory(
                program=world.program,
                primary_case_manager=world.alice,
                registered_by=world.ivy,
                # Some overdue, some not, from the first few on.
                last_contact_at=timezone.now() - timedelta(days=10 + 3 * (n % 10)),
            )
            kind = ("safety", "high_risk", "court")[n % 3]
            ClientFlag.objects.create(client=extra, kind=kind, raised_by=world.alice)

    client.force_login(world.alice)
    grow_to(5)
    _caseload_queries(client, data)  # warm caches (sessions, content types)
    small = _caseload_queries(client, data)
    assert client.post("/caseload/", data).context["rows"]  # a page with clients on it
    grow_to(50)
    assert _caseload_queries(client, data) == small


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite keeps a missing date first")
@pytest.mark.parametrize("sort", [CaseloadSort.URGENCY, CaseloadSort.NEXT_DUE])
def test_on_sqlite_the_team_is_read_in_an_index_order_not_sorted_client_by_client(
    world, caseload, sort
):
    """Clients with no contact due go last; SQLite keeps a missing value first in an index, so
    without an index of its own for this order it sorted the whole team on every page."""
    page = queries.caseload(world.sue, CaseloadFilters(sort=sort))[:50]
    sql, params = page.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
    assert "nulls_last" in plan, plan
    assert "TEMP B-TREE FOR" not in plan, plan
    due = [client.next_contact_due_at is None for client in page]
    assert any(due) and due == sorted(due)  # those with none, and only they, last


def _sqlite_objects(kind):
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = %s", [kind])
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.skipif(connection.vendor != "sqlite", reason="indexes made on SQLite only")
def test_a_migrate_of_the_clients_app_sets_the_order_indexes_aside_and_they_come_back(world):
    """No migration knows of them, and SQLite will not drop a column an index holds: they are
    dropped before a migrate that changes the clients app and made again after it, and the
    table's statistics are taken again (a rebuilt table has lost them all)."""
    from types import SimpleNamespace

    from casebridge.clients import sqlite_order

    assert set(sqlite_order.INDEXES) <= _sqlite_objects("index")
    other_app = [(SimpleNamespace(app_label="plans"), False)]
    sqlite_order.set_aside(connection, other_app)
    assert set(sqlite_order.INDEXES) <= _sqlite_objects("index")
    sqlite_order.set_aside(connection, [(SimpleNamespace(app_label="clients"), True)])
    assert not set(sqlite_order.INDEXES) & _sqlite_objects("index")
    with connection.cursor() as cursor:
        # What set_aside makes possible, as undoing the migration that added the column does
        # (its indexes first): SQLite refuses this while an index holds the column.
        cursor.execute("DROP INDEX caseload_by_urgency")
        cursor.execute("ALTER TABLE clients_client DROP COLUMN has_open_safety_flag")
        sqlite_order.install(connection)  # the column is gone: nothing to make
        assert not set(sqlite_order.INDEXES) & _sqlite_objects("index")
        cursor.execute(
            "ALTER TABLE clients_client ADD COLUMN has_open_safety_flag bool NOT NULL DEFAULT 0"
        )
        cursor.execute("ANALYZE")
        cursor.execute("DELETE FROM sqlite_stat1 WHERE tbl = 'clients_client'")
    sqlite_order.install(connection)
    assert set(sqlite_order.INDEXES) <= _sqlite_objects("index")
    with connection.cursor() as cursor:
        cursor.execute("SELECT idx FROM sqlite_stat1 WHERE tbl = 'clients_client'")
        counted = {row[0] for row in cursor.fetchall()}
    assert {"caseload_by_next_due", *sqlite_order.INDEXES} <= counted

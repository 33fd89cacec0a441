"""The timeline shows one page of entries at a time, newest first, and filters by kind: a client
with thousands of entries opens as fast as one with ten, and a kind the viewer may not see is
neither offered nor obeyed."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from casebridge.clients.models import TimelineEntry
from casebridge.clients.queries import TIMELINE_PAGE

OLDER = "Older entries"


def _url(world, **query):
    url = reverse("client_timeline", kwargs={"client_id": world.client.pk})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _entries(world, count, *, kind="details", needs_action="view", same_instant=False):
    """`count` entries, the first the newest, a minute apart (or all at one instant), all older
    than what the client already has."""
    start = timezone.now() - timedelta(days=365)
    made = TimelineEntry.objects.bulk_create(
        TimelineEntry(
            client=world.client,
            kind=kind,
            needs_action=needs_action,
            summary=f"{kind} {n}",
            actor=world.alice,
        )
        for n in range(count)
    )
    for n, entry in enumerate(made):
        entry.at = start if same_instant else start - timedelta(minutes=n)
    TimelineEntry.objects.bulk_update(made, ["at"])
    return made


def _summaries(response):
    return [entry.summary for entry in response.context["entries"]]


def _pages(client, world, **query):
    """Every page, following the Older entries link, as lists of summaries."""
    pages = []
    url = _url(world, **query)
    while url:
        response = client.get(url)
        assert response.status_code == 200
        pages.append(_summaries(response))
        older = response.context["older_than"]
        url = _url(world, **query, before=older) if older else None
        if older:
            assert OLDER in response.content.decode()
        else:
            assert OLDER not in response.content.decode()
    return pages


def test_the_filter_shows_only_entries_of_that_kind(client, world):
    _entries(world, 5, kind="details")
    _entries(world, 3, kind="stage")
    client.force_login(world.alice)
    response = client.get(_url(world, kind="stage"))
    assert _summaries(response) == ["stage 0", "stage 1", "stage 2"]
    assert '<option value="stage" selected>' in response.content.decode()


def test_a_kind_the_viewer_may_not_see_is_not_offered_and_ignored_in_the_url(client, world):
    _entries(world, 2, kind="flag", needs_action="read_clinical")
    _entries(world, 2, kind="details")
    client.force_login(world.cody)  # a coach reads no clinical content
    response = client.get(_url(world, kind="flag"))
    page = response.content.decode()
    assert 'value="flag"' not in page and 'value="details"' in page
    shown = _summaries(response)
    assert response.context["kind"] == "" and "details 0" in shown
    assert not any(summary.startswith("flag") for summary in shown)
    # A case manager is offered the same kind and it filters.
    client.force_login(world.alice)
    assert _summaries(client.get(_url(world, kind="flag"))) == ["flag 0", "flag 1"]


@pytest.mark.parametrize("kind", ["nonsense", "", "%C2%B2", "x" * 500])
def test_an_unknown_kind_shows_everything(client, world, kind):
    _entries(world, 3)
    client.force_login(world.alice)
    response = client.get(_url(world, kind=kind))
    assert response.status_code == 200 and "details 0" in _summaries(response)


def test_the_query_count_is_the_same_for_10_and_300_entries(client, world):
    client.force_login(world.alice)
    client.get(_url(world))  # warm caches (sessions, content types)
    counts = []
    for more in (10, 290):
        _entries(world, more)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(_url(world))
        total = TimelineEntry.objects.filter(client=world.client).count()
        assert len(response.context["entries"]) == min(TIMELINE_PAGE, total)
        counts.append(len(captured))
    older = response.context["older_than"]
    with CaptureQueriesContext(connection) as captured:
        client.get(_url(world, kind="details", before=older))
    assert counts[0] == counts[1] == len(captured)


def test_pages_follow_on_without_repeating_or_skipping_an_entry(client, world):
    made = _entries(world, 2 * TIMELINE_PAGE + 20)
    client.force_login(world.alice)
    pages = _pages(client, world, kind="details")
    assert [len(page) for page in pages] == [TIMELINE_PAGE, TIMELINE_PAGE, 20]
    assert [summary for page in pages for summary in page] == [entry.summary for entry in made]


def test_entries_written_in_the_same_instant_page_by_their_order(client, world):
    made = _entries(world, TIMELINE_PAGE + 5, same_instant=True)
    client.force_login(world.alice)
    pages = _pages(client, world, kind="details")
    assert [summary for page in pages for summary in page] == [
        entry.summary for entry in reversed(made)
    ]


def test_page_two_links_back_to_the_newest_and_keeps_the_kind(client, world):
    _entries(world, TIMELINE_PAGE + 1)
    client.force_login(world.alice)
    first = client.get(_url(world, kind="details"))
    older = first.context["older_than"]
    assert f"?kind=details&amp;before={older}" in first.content.decode()
    second = client.get(_url(world, kind="details", before=older))
    assert _summaries(second) == [f"details {TIMELINE_PAGE}"]
    assert 'href="?kind=details">Newest entries' in second.content.decode()


@pytest.mark.parametrize("before", ["abc", "-1", "²", "1e3", ""])
def test_a_malformed_place_to_continue_from_opens_the_newest_page(client, world, before):
    _entries(world, 3)
    client.force_login(world.alice)
    response = client.get(_url(world, before=before))
    assert response.status_code == 200 and _summaries(response)[0] != "details 2"


def test_an_entry_the_viewer_may_not_see_is_no_place_to_continue_from(client, world):
    [hidden] = _entries(world, 1, kind="flag", needs_action="read_clinical")
    _entries(world, 3)
    client.force_login(world.cody)
    response = client.get(_url(world, before=hidden.pk))
    assert response.status_code == 200 and _summaries(response) == []


def _page_query(world):
    """The SQL of the timeline's page query (the entries; who wrote them is read apart)."""
    from casebridge.clients.queries import timeline_page

    with CaptureQueriesContext(connection) as seen:
        page = timeline_page(world.client, frozenset({"view", "read_clinical"}))
    assert all(entry.actor is not None for entry in page.entries)  # read apart, but read
    return next(q["sql"] for q in seen.captured_queries if "clients_timelineentry" in q["sql"])


def test_a_page_reads_the_entries_alone_through_the_index_in_their_order(world):
    """What lets the database read a page of a busy client's timeline in order and stop: the
    entries are read alone, with no join (joined to the people who wrote them, PostgreSQL with
    statistics that still counted a few entries hashed and sorted all ten thousand), and the
    only ways in by client are the indexes in timeline order (with an index on the client
    alone, it read every entry through that and sorted them). Measured by bench/pages.py:
    "timeline of 10,000 entries" against "timeline of 10 entries"."""
    _entries(world, 60)
    sql = _page_query(world)
    assert " JOIN " not in sql.upper(), sql
    indexes = connection.introspection.get_constraints(connection.cursor(), "clients_timelineentry")
    by_client = sorted(
        tuple(index["columns"])
        for index in indexes.values()
        if index["index"] and index["columns"][:1] == ["client_id"]
    )
    assert by_client == [("client_id", "at", "id"), ("client_id", "kind", "at", "id")]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="a plan SQLite keeps to")
def test_on_sqlite_a_page_is_read_in_index_order_after_many_entries_arrive(world):
    """SQLite's plan is steady enough to check: after ANALYZE counted forty entries a client and
    3,000 more were written, the page is read from timeline_in_order and sorts nothing. (On
    PostgreSQL a test database this small is read whole and sorted, which at its size is the
    right choice.)"""
    for other in (world.engagement_client, world.foreign_client):
        TimelineEntry.objects.bulk_create(
            TimelineEntry(client=other, kind="details", summary=f"entry {n}") for n in range(40)
        )
    _entries(world, 40)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    _entries(world, 3000, needs_action="read_clinical")
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {_page_query(world)}")
        plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
    assert "timeline_in_order" in plan and "TEMP B-TREE" not in plan, plan

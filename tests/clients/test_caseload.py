"""The caseload: whose clients show, search and filters, and a query count that does not grow."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casebridge.clients.models import ClientFlag
from tests.factories import ClientFactory, CollateralFactory


def names(response):
    return [client.display_name for client, _due in response.context["rows"]]


def test_a_case_manager_sees_only_their_clients(client, world):
    client.force_login(world.alice)
    response = client.get("/caseload/")
    assert sorted(names(response)) == ["Jamie Rivera", "Morgan Lee"]
    client.force_login(world.bob)
    assert names(client.get("/caseload/")) == []


def test_a_coach_sees_the_clients_they_coach(client, world):
    client.force_login(world.cody)
    assert names(client.get("/caseload/")) == ["Jamie Rivera"]


def test_a_supervisor_sees_the_team_with_counts_per_case_manager(client, world):
    ClientFactory(program=world.program, primary_case_manager=world.bob, registered_by=world.ivy)
    client.force_login(world.sue)
    response = client.get("/caseload/")
    assert len(response.context["rows"]) == 3
    counts = {row["name"]: row["open_cases"] for row in response.context["team"].rows}
    assert counts == {"Alice Staff": 2, "Bob Staff": 1}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("jamie", ["Jamie Rivera"]),
        ("Jamie Rivera", ["Jamie Rivera"]),
        ("lee", ["Morgan Lee"]),
        ("nobody", []),
    ],
)
def test_search_by_name(client, world, query, expected):
    client.force_login(world.alice)
    assert names(client.post("/caseload/", {"q": query})) == expected


def test_search_by_case_number_and_phone(client, world):
    world.engagement_client.phone = "5558675309"
    world.engagement_client.save()
    client.force_login(world.alice)
    assert names(client.post("/caseload/", {"q": world.client.case_number})) == ["Jamie Rivera"]
    assert names(client.post("/caseload/", {"q": "867-5309"})) == ["Morgan Lee"]


def test_filter_by_stage_and_flag(client, world):
    ClientFlag.objects.create(client=world.client, kind="safety", raised_by=world.alice)
    client.force_login(world.alice)
    assert names(client.get("/caseload/", {"stage": "engagement"})) == ["Morgan Lee"]
    assert names(client.get("/caseload/", {"flag": "safety"})) == ["Jamie Rivera"]


def test_htmx_requests_get_only_the_table(client, world):
    client.force_login(world.alice)
    response = client.post("/caseload/", {"q": "jamie"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "<table" in body and "<html" not in body


def test_listing_a_caseload_is_audited_with_the_clients_shown(client, world):
    from casebridge.audit.models import AuditEvent

    client.force_login(world.alice)
    client.get("/caseload/")
    event = AuditEvent.objects.filter(action="list").latest("id")
    assert sorted(event.changes["client_ids"]) == sorted(
        [world.client.pk, world.engagement_client.pk]
    )


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_caseload_and_client_page_query_counts_do_not_grow_with_the_caseload(client, world):
    client.force_login(world.alice)
    small_caseload = _queries(client, "/caseload/")
    small_page = _queries(client, f"/clients/{world.client.pk}/")
    for _ in range(25):
        extra = ClientFactory(
            program=world.program, primary_case_manager=world.alice, registered_by=world.ivy
        )
        ClientFlag.objects.create(client=extra, kind="high_risk", raised_by=world.alice)
        CollateralFactory(client=world.client)
    assert _queries(client, "/caseload/") == small_caseload
    assert _queries(client, f"/clients/{world.client.pk}/") == small_page
    assert _queries(client, f"/clients/{world.client.pk}/contacts/") <= small_page + 2


def test_a_search_term_in_the_url_is_ignored_so_names_never_need_to_be_in_urls(client, world):
    client.force_login(world.alice)
    assert len(client.get("/caseload/", {"q": "jamie"}).context["rows"]) == 2
    form = client.get("/caseload/").content.decode()
    assert 'method="post"' in form and 'hx-post="/caseload/"' in form


def test_pages_of_a_long_caseload_keep_the_filters(client, world):
    for _ in range(55):
        ClientFactory(
            program=world.program,
            primary_case_manager=world.alice,
            registered_by=world.ivy,
            stage="review",
        )
    client.force_login(world.alice)
    first = client.post("/caseload/", {"stage": "review"})
    assert first.context["page"].paginator.count == 55 and len(first.context["rows"]) == 50
    second = client.post("/caseload/", {"stage": "review", "page": "2"})
    assert len(second.context["rows"]) == 5
    assert all(c.stage == "review" for c, _ in second.context["rows"])


def test_a_long_caseload_is_counted_only_a_few_pages_ahead_and_every_page_is_reached(
    client, world, monkeypatch
):
    from casebridge import paging
    from casebridge.clients import views

    for _ in range(53):
        ClientFactory(
            program=world.program,
            primary_case_manager=world.alice,
            registered_by=world.ivy,
            stage="review",
        )
    monkeypatch.setattr(views, "PAGE_SIZE", 10)
    monkeypatch.setattr(paging, "PAGES_AHEAD", 1)
    client.force_login(world.alice)
    with CaptureQueriesContext(connection) as queries:
        first = client.post("/caseload/", {"stage": "review"})
    page = first.content.decode()
    # Counted two pages deep (the page asked for and one more) and a row beyond: "more than".
    assert "More than 20 clients" in page and "Page 1 of more than 2" in page
    counts = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT COUNT(")]
    assert len(counts) == 1 and "LIMIT 21" in counts[0]
    seen = {c.pk for c, _ in first.context["rows"]}
    number = 1
    while first.context["page"].has_next():
        number += 1
        first = client.post("/caseload/", {"stage": "review", "page": str(number)})
        seen |= {c.pk for c, _ in first.context["rows"]}
    # Next leads on to the end, where the count is exact.
    assert number == 6 and len(seen) == 53
    assert "53 clients" in first.content.decode() and "Page 6 of 6" in first.content.decode()
    # Junk and pages past the end still show a page.
    assert client.post("/caseload/", {"stage": "review", "page": "99999999999"}).status_code == 200


def test_a_row_shows_what_the_client_is_due_escaped_with_its_flags_and_last_contact(client, world):
    from datetime import timedelta

    from django.utils import timezone

    from casebridge.clients.models import Client
    from tests.monitoring.helpers import days_ago, write_note

    Client.objects.filter(pk=world.client.pk).update(
        preferred_name="<b>Jay</b>", last_contact_at=days_ago(3)
    )
    ClientFlag.objects.create(client=world.client, kind="court", raised_by=world.alice)
    write_note(world.client, world.alice, contact_at=days_ago(10))
    client.force_login(world.alice)
    body = client.get("/caseload/").content.decode()
    assert "&lt;b&gt;Jay&lt;/b&gt; Rivera" in body
    assert "<b>Jay</b>" not in body
    assert "legal first name Jamie" in body
    assert '<span class="flag flag-court">' in body
    shown = timezone.localtime(days_ago(3)).strftime("%b %-d")
    assert f'<td data-label="Last contact"><span class="cell">{shown}</span></td>' in body
    due_on = timezone.localdate() - timedelta(days=10) + timedelta(days=3)
    assert (
        f'<span class="due-item overdue">Contact note to sign by {due_on.strftime("%b %-d")}'
        " (overdue)</span>"
    ) in body


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's indexes")
@pytest.mark.parametrize("term", ["riv", "Jamie", "RS-0001", "Jamie Rivera"])
def test_on_postgresql_a_search_reads_the_matching_names_from_indexes(db, term):
    """The trigram and case-number indexes fit the SQL the search writes: with reading every
    client ruled out, the plan reads each searched column through its own index (a column
    without one would leave no plan but the full read)."""
    from casebridge.clients.models import Client
    from casebridge.clients.queries import search_match

    sql, params = Client.objects.filter(search_match(term)).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Seq Scan" not in plan, plan
    for index in (
        "client_legal_first_name_parts",
        "client_legal_last_name_parts",
        "client_preferred_name_parts",
        "client_case_number_any_case",
    ):
        assert index in plan, plan
    if term == "RS-0001":  # four digits: the phone and the end of the case number too
        assert "client_phone_digits" in plan and "client_case_number_digits" in plan, plan

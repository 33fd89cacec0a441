"""A supervisor's team, a page of case managers at a time: who is on it, counts that match the
records, and pages that take the same number of queries for a team of 60 or of 90."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casebridge.accounts.models import Role
from casebridge.clients.models import Client
from casebridge.clients.queries import TEAM_PAGE_SIZE, team_counts, team_members, team_page
from tests.factories import ClientFactory, StaffFactory, team_newcomers

pytestmark = pytest.mark.django_db


def grow_team(world, size: int) -> None:
    """Case managers in sue's program until the team has `size` (alice and bob count), each with
    a few open clients and one closed one on some."""
    for n, person in team_newcomers(world, size):
        for k in range(n % 4):
            ClientFactory(
                program=world.program,
                primary_case_manager=person,
                registered_by=world.ivy,
                stage="conclusion" if k == 2 else "monitoring",
            )


def queries_for(client, url: str, **headers: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, **headers).status_code == 200
    return len(captured)


def open_cases(person) -> int:
    return Client.objects.filter(primary_case_manager=person).exclude(stage="conclusion").count()


def test_the_team_is_the_active_case_managers_of_the_supervisors_programs_by_name(world):
    StaffFactory(username="gone", organisation=world.org, programs=[world.program], is_active=False)
    StaffFactory(
        username="sup2", organisation=world.org, programs=[world.program], role=Role.SUPERVISOR
    )
    StaffFactory(username="away", organisation=world.org, programs=[world.other_program])
    StaffFactory(username="zed", first_name="Zed", last_name="Adams", organisation=world.org)
    StaffFactory(
        username="amy",
        first_name="Amy",
        last_name="Adams",
        organisation=world.org,
        programs=[world.program, world.other_program],
    )
    world.sue.programs.add(world.other_program)
    names = [person.username for person in team_members(world.sue)]
    assert names == ["amy", "alice", "bob", "away"]  # Adams, then Staff: Alice, Bob, First…


def test_the_counts_on_every_page_are_the_real_open_cases(world):
    grow_team(world, 60)
    ClientFactory(program=world.program, primary_case_manager=None, registered_by=world.ivy)
    seen = {}
    for number in range(1, 4):
        counts = team_counts(world.sue, team_page(world.sue, number))
        assert len(counts.rows) == min(TEAM_PAGE_SIZE, 60 - (number - 1) * TEAM_PAGE_SIZE)
        assert counts.unassigned == 1
        seen.update({row["id"]: row["open_cases"] for row in counts.rows})
    members = list(team_members(world.sue))
    assert list(seen) == [person.pk for person in members]
    assert seen == {person.pk: open_cases(person) for person in members}
    assert seen[world.alice.pk] == 2


def test_a_client_of_another_program_is_not_counted(world):
    world.alice.programs.add(world.other_program)
    ClientFactory(
        program=world.other_program, primary_case_manager=world.alice, registered_by=world.ivy
    )
    counts = team_counts(world.sue, team_page(world.sue))
    assert {row["name"]: row["open_cases"] for row in counts.rows} == {
        "Alice Staff": 2,
        "Bob Staff": 0,
    }


@pytest.mark.parametrize("url", ["/team/", "/team/?page=2", "/caseload/"])
def test_a_team_page_takes_as_many_queries_for_90_case_managers_as_for_60(
    client, world, due_not_kept, url
):
    """Constant in the team's size; a team that ends on the page shown is not even counted."""
    grow_team(world, 30)  # two pages: the second ends the team
    client.force_login(world.sue)
    queries_for(client, url)  # warm the session and content types
    small = queries_for(client, url)
    grow_team(world, 60)
    big = queries_for(client, url)
    assert small <= big
    grow_team(world, 90)
    assert queries_for(client, url) == big


def test_the_team_page_pages_through_the_case_managers(client, world):
    grow_team(world, 60)
    client.force_login(world.sue)
    first = client.get("/team/").content.decode()
    assert first.count('href="/caseload/?case_manager=') == TEAM_PAGE_SIZE
    assert '<nav class="pager" aria-label="Pages of case managers">' in first
    assert '<span aria-current="page">Page 1 of 3</span>' in first
    assert 'href="?page=2"' in first and "Previous page" not in first
    last = client.get("/team/?page=3").content.decode()
    assert last.count('href="/caseload/?case_manager=') == 10
    assert 'href="?page=2"' in last and "Next page" not in last
    shown = re.findall(r"case_manager=(\d+)\">[^<]+</a></td><td>(\d+)</td>", last)
    assert {int(pk): int(n) for pk, n in shown} == {
        person.pk: open_cases(person) for person in list(team_members(world.sue))[50:]
    }


@pytest.mark.parametrize("page", ["0", "-1", "²", "999999999999999999999", "x" * 500])
def test_a_page_number_that_is_not_one_shows_the_nearest_page(client, world, page):
    grow_team(world, 30)
    client.force_login(world.sue)
    assert client.get("/team/", {"page": page}).status_code == 200


def test_the_team_caseload_shows_the_first_page_and_sends_the_rest_to_the_team_page(client, world):
    grow_team(world, 60)
    client.force_login(world.sue)
    response = client.get("/caseload/")
    assert len(response.context["team"].rows) == TEAM_PAGE_SIZE
    body = response.content.decode()
    assert "The first 25 of 60 case managers." in body
    assert '<a href="/team/?page=2">The rest are on the Team page</a>' in body


def test_a_search_while_typing_counts_nothing_for_the_team(client, world):
    grow_team(world, 30)
    client.force_login(world.sue)
    with CaptureQueriesContext(connection) as captured:
        response = client.post("/caseload/", {"q": "jamie"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response.context["team"] is None
    assert "Open cases per case manager" not in response.content.decode()

    def counted(sql: str) -> bool:
        return sql.lstrip("(").startswith('SELECT "clients_client"."primary_case_manager_id"')

    assert not any(counted(query["sql"]) for query in captured.captured_queries)
    with CaptureQueriesContext(connection) as captured:
        client.get("/caseload/")
    assert any(counted(query["sql"]) for query in captured.captured_queries)


def test_a_case_manager_sees_no_team(client, world):
    client.force_login(world.alice)
    assert client.get("/caseload/").context["team"] is None
    assert client.get("/team/").status_code == 404


def test_a_big_team_is_counted_only_a_few_pages_ahead(client, world, monkeypatch):
    """The team's count stops past the page shown (as the caseload's does), so a team of
    thousands costs what a team of dozens does; the last pages count exactly."""
    monkeypatch.setattr("casebridge.paging.PAGES_AHEAD", 1)
    grow_team(world, 60)
    client.force_login(world.sue)
    first = client.get("/team/").content.decode()
    assert "More than 50 case managers in your programs, 1 to 25 here" in first
    assert '<span aria-current="page">Page 1 of more than 2</span>' in first
    assert 'href="?page=2"' in first
    caseload = client.get("/caseload/").content.decode()
    assert "The first 25 of more than 50 case managers." in caseload
    today = client.get("/team/today/").content.decode()
    assert "More than 50 case managers in your programs, 1 to 25 here" in today
    last = client.get("/team/?page=3").content.decode()
    assert "60 case managers in your programs, 51 to 60 here" in last
    assert '<span aria-current="page">Page 3 of 3</span>' in last


def test_who_left_the_programs_but_still_holds_cases_is_on_the_team_marked_as_gone(world):
    moved = StaffFactory(username="moved", organisation=world.org, programs=[world.program])
    off = StaffFactory(username="off", organisation=world.org, programs=[world.program])
    for person in (moved, off):
        ClientFactory(program=world.program, primary_case_manager=person, registered_by=world.ivy)
    moved.programs.set([world.other_program])
    off.is_active = False
    off.save()
    StaffFactory(username="idle", organisation=world.org, programs=[world.other_program])
    here = {person.username: person.still_here for person in team_members(world.sue)}
    assert here == {"alice": True, "bob": True, "moved": False, "off": False}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner")
def test_on_postgresql_the_team_is_read_a_person_at_a_time_not_as_a_set_of_every_member(world):
    """Membership is looked up for each person read, so a page of 25 costs the same for a team
    of 20 or of 2,000; an IN or EXISTS let PostgreSQL build a set of every member each time."""
    grow_team(world, 60)
    # What team_page reads: a page of people and one more, to know there are more.
    sql, params = team_members(world.sue)[: TEAM_PAGE_SIZE + 1].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    # The test on membership (after is_active) is a subplan run per person, never a hashed set.
    assert re.search(r"is_active AND \(+SubPlan \d+\) IS NOT NULL", plan), plan
    assert not re.search(r"is_active AND \(*hashed", plan), plan


@pytest.mark.parametrize("who", ["sue", "alice"])
def test_the_caseload_reads_the_persons_programs_once(client, world, who):
    """For the filter's choices and, for a supervisor, the team's counts too."""
    grow_team(world, 3)
    client.force_login(getattr(world, who))
    client.get("/caseload/")  # warm the session and content types
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/caseload/").status_code == 200
    read_from = [re.search(r'\bFROM "(\w+)"', q["sql"]) for q in captured.captured_queries]
    assert [found.group(1) for found in read_from if found].count("accounts_program") == 1

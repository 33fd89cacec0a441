"""The team today a page of case managers at a time: the same number of queries for a team of
3 or of 60, figures that match the records, a capped count of high-risk clients, and moving
clients from a big team."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from casebridge.alerts import team
from casebridge.alerts.models import Alert, AlertState, Priority
from casebridge.clients.queries import TEAM_PAGE_SIZE, team_members, team_page
from casebridge.monitoring.models import ContactNote
from casebridge.monitoring.statuses import NoteStatus
from casebridge.plans.models import Intervention, PlanTask, TaskStatus
from tests.factories import ClientFactory, StaffFactory, team_newcomers
from tests.plans.helpers import ready_plan

pytestmark = pytest.mark.django_db


def _alert(client, n: int, *, priority: int = Priority.NORMAL, state: str = AlertState.OPEN):
    return Alert.objects.create(
        client=client,
        kind="concern",
        key=f"k{n}",
        priority=priority,
        title=f"Concern {n}",
        fact_on=timezone.localdate(),
        act_url_name="client_alerts",
        state=state,
        opened_at=timezone.now(),
        resolved_at=timezone.now() if state == AlertState.RESOLVED else None,
    )


def grow_team(world, size: int) -> None:
    """Case managers in sue's program until the team has `size`, each with some open clients,
    alerts, overdue plan tasks and draft notes (how many varies from one to the next)."""
    if not Intervention.objects.exists():
        ready_plan(world)
    intervention = Intervention.objects.get()
    for n, person in team_newcomers(world, size):
        for k in range(n % 3):
            theirs = ClientFactory(
                program=world.program,
                primary_case_manager=person,
                registered_by=world.ivy,
                stage="monitoring",
            )
            _alert(theirs, k, priority=Priority.URGENT if k else Priority.NORMAL)
            _alert(theirs, k + 10, state=AlertState.RESOLVED)
            PlanTask.objects.create(
                client=theirs,
                intervention=intervention,
                owner=person,
                title="Call the clinic",
                due_on=timezone.localdate() - timedelta(days=1 + k),
            )
            ContactNote.objects.create(
                client=theirs,
                contact_at=timezone.now(),
                contact_type="phone",
                duration_minutes=10,
                note_format="dap",
                written_by=person,
            )


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("url", ["/team/today/", "/team/today/?page=2"])
def test_the_team_today_takes_as_many_queries_for_90_case_managers_as_for_60(client, world, url):
    grow_team(world, 30)  # two pages: the second ends the team
    client.force_login(world.sue)
    queries_for(client, url)  # warm the session and content types
    small = queries_for(client, url)
    grow_team(world, 60)
    big = queries_for(client, url)
    assert small <= big  # a team that ends on the page shown is not even counted
    grow_team(world, 90)
    assert queries_for(client, url) == big


def test_every_figure_on_every_page_is_the_real_one(world):
    grow_team(world, 60)
    today = timezone.localdate()
    seen = []
    for number in (1, 2, 3):
        days = team.caseloads(world.sue, list(team_page(world.sue, number).object_list))
        assert len(days) == min(TEAM_PAGE_SIZE, 60 - (number - 1) * TEAM_PAGE_SIZE)
        seen += days
    assert [day.user.pk for day in seen] == [p.pk for p in team_members(world.sue)]
    for day in seen:
        theirs = day.user.primary_clients.exclude(stage="conclusion")
        live = Alert.objects.filter(
            client__in=theirs, state__in=[AlertState.OPEN, AlertState.ACKNOWLEDGED]
        )
        assert day.open_cases == theirs.count()
        assert day.alerts == live.count()
        assert day.urgent_alerts == live.filter(priority=Priority.URGENT).count()
        assert (
            day.tasks_overdue
            == PlanTask.objects.filter(
                owner=day.user, status=TaskStatus.OPEN, due_on__lt=today
            ).count()
        )
        assert (
            day.notes_to_sign
            == ContactNote.objects.filter(written_by=day.user, status=NoteStatus.DRAFT).count()
        )


def test_the_team_today_pages_with_links_that_need_no_script(client, world):
    grow_team(world, 30)
    client.force_login(world.sue)
    body = client.get(reverse("team_day")).content.decode()
    assert body.count("Move clients<span") == TEAM_PAGE_SIZE
    assert '<nav class="pager" aria-label="Pages of case managers">' in body
    assert '<span aria-current="page">Page 1 of 2</span>' in body and 'href="?page=2"' in body
    second = client.get(reverse("team_day"), {"page": "2"}).content.decode()
    assert second.count("Move clients<span") == 5


def test_past_the_bound_the_high_risk_count_says_more_than(client, world, monkeypatch):
    for n in range(5):
        risky = ClientFactory(
            program=world.program, primary_case_manager=world.alice, registered_by=world.ivy
        )
        _alert(risky, n, priority=Priority.HIGH if n % 2 else Priority.URGENT)
    client.force_login(world.sue)
    monkeypatch.setattr(team, "HIGH_RISK_COUNTED", 3)
    response = client.get(reverse("team_day"))
    assert response.context["high_risk_count"] == "more than 3"
    assert "The 5 most urgent of more than 3." in response.content.decode()
    monkeypatch.setattr(team, "HIGH_RISK_COUNTED", 100)
    monkeypatch.setattr(team, "HIGH_RISK_LIMIT", 1)  # reads 5 alerts: all of them
    assert client.get(reverse("team_day")).context["high_risk_count"] == "at least 5"
    monkeypatch.setattr(team, "HIGH_RISK_LIMIT", 50)
    response = client.get(reverse("team_day"))
    assert response.context["high_risk_count"] == "5"
    urgent_first = [row.reasons[0] for row in response.context["high_risk"]]
    assert urgent_first == ["Concern 4", "Concern 2", "Concern 0", "Concern 3", "Concern 1"]


def test_moving_clients_in_a_big_team_shows_each_target_with_their_caseload(client, world):
    grow_team(world, 30)
    client.force_login(world.sue)
    page = client.get(reverse("team_move", args=[world.alice.pk])).content.decode()
    assert "Alice Staff has 2 open cases" in page
    assert "Case5 Manager005: 2 open" in page and "Case3 Manager003: no open cases" in page


def test_a_big_team_lists_a_few_people_to_move_to_and_finds_the_others_by_name(
    client, world, monkeypatch
):
    from casebridge.alerts import views
    from casebridge.clients.models import Client

    grow_team(world, 30)
    monkeypatch.setattr(views, "MOVE_TARGETS_SHOWN", 5)
    client.force_login(world.sue)
    url = reverse("team_move", args=[world.alice.pk])
    with CaptureQueriesContext(connection) as few:
        response = client.get(url)
    listed = [value for value, _ in response.context["form"].fields["to_user"].choices if value]
    assert len(listed) == 5 and world.alice.pk not in listed
    assert "shows the first 5 by name" in response.content.decode()
    # Someone further down the alphabet is found by part of their name, with their caseload.
    found = client.get(url, {"who": "manager029"})
    page = found.content.decode()
    assert "Case29 Manager029: 2 open" in page and "Manager001" not in page
    assert client.get(url, {"who": "nobody-by-this-name"}).context["form"].fields[
        "to_user"
    ].choices == [("", "Choose a person")]
    # The list is a view, not a rule: anyone the supervisor may move clients to can be chosen.
    far = StaffFactory._meta.model.objects.get(username="cm29")
    response = client.post(
        url, {"clients": [world.client.pk], "to_user": far.pk, "reason": "Room on their caseload"}
    )
    assert response.status_code == 302
    assert Client.objects.get(pk=world.client.pk).primary_case_manager == far
    # ... and nobody else can.
    response = client.post(
        url,
        {"clients": [world.engagement_client.pk], "to_user": world.charlie.pk, "reason": "x"},
    )
    assert response.status_code == 400
    # The listing costs the same for a team of 30 as of 60.
    grow_team(world, 60)
    with CaptureQueriesContext(connection) as more:
        client.get(url)
    assert len(more) == len(few)

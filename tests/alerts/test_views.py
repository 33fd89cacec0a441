"""My Day, an alert's page and what people do with it, the Alerts tab and a coach's concern, as
each person reaches them."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from casebridge.alerts.models import Alert, AlertState
from casebridge.alerts.services import evaluate_clients
from casebridge.audit.models import AuditEvent
from casebridge.monitoring.services.appointments import appointment_schedule
from tests.alerts.helpers import check_in
from tests.monitoring.recovery_helpers import record_screen

pytestmark = pytest.mark.django_db


def _page(client, user, url, **params):
    client.force_login(user)
    response = client.get(url, params)
    return response, response.content.decode()


def _craving_alert(world, level=9):
    check_in(world, craving=level)
    evaluate_clients([world.client.pk])
    return Alert.objects.get(client=world.client, kind="craving")


def test_staff_who_work_with_clients_start_on_my_day(client, world):
    client.force_login(world.alice)
    assert client.get("/").url == reverse("my_day")
    client.force_login(world.aud)
    assert client.get("/").url != reverse("my_day")


def test_my_day_lists_the_alerts_of_my_clients_most_urgent_first(client, world):
    _craving_alert(world)
    record_screen(
        world, status="refused", specimen="", method="", panel="", results={}, observed=False
    )
    evaluate_clients([world.client.pk, world.foreign_client.pk])
    response, body = _page(client, world.alice, reverse("my_day"))
    assert response.status_code == 200
    assert "Craving 9 of 10" in body and "refused" in body
    # High priority both: the newer first.
    assert body.count('class="card alert-card') == 2
    listed = AuditEvent.objects.filter(object_type="my_day", actor=world.alice).get()
    assert world.client.pk in listed.changes["client_ids"]


def test_a_coach_sees_check_in_alerts_but_never_a_drug_screen_alert(client, world):
    _craving_alert(world)
    record_screen(
        world, status="refused", specimen="", method="", panel="", results={}, observed=False
    )
    evaluate_clients([world.client.pk])
    _, body = _page(client, world.cody, reverse("my_day"))
    assert "Craving 9 of 10" in body
    assert "Drug screen" not in body
    screen_alert = Alert.objects.get(kind="screen")
    assert (
        _page(client, world.cody, reverse("alert_detail", args=[screen_alert.pk]))[0].status_code
        == 404
    )


def test_no_one_outside_the_clients_team_opens_an_alert(client, world):
    alert = _craving_alert(world)
    for person in (world.charlie, world.otto, world.bob, world.ada):
        response, body = _page(client, person, reverse("alert_detail", args=[alert.pk]))
        assert response.status_code == 404, person.username
        assert "Craving" not in body


def test_my_day_shows_todays_court_date_and_what_is_overdue(client, world):
    start = timezone.now().replace(hour=23, minute=0, second=0, microsecond=0)
    if start < timezone.now():
        start = timezone.now() + timedelta(minutes=5)
    appointment_schedule(
        client=world.client,
        by=world.alice,
        kind="court",
        starts_at=start,
        ends_at=start + timedelta(minutes=30),
        place="Courtroom 2",
    )
    _, body = _page(client, world.alice, reverse("my_day"))
    assert "Court hearing" in body
    assert reverse("client_calendar", args=[world.client.pk]) in body


def _seen(body):
    """The list the poll says it has seen, as the page gives it."""
    return body.split('id="alerts-seen"')[1].split('value="')[1].split('"')[0]


def test_the_poll_hears_nothing_new_until_an_alert_arrives(client, world):
    response, body = _page(client, world.alice, reverse("my_day_alerts"))
    assert response.status_code == 200
    token = _seen(body)
    assert _page(client, world.alice, reverse("my_day_alerts"), seen=token)[0].status_code == 204
    _craving_alert(world)
    response, body = _page(client, world.alice, reverse("my_day_alerts"), seen=token)
    assert response.status_code == 200
    assert "Craving 9 of 10" in body and 'role="status"' in body


@pytest.mark.parametrize(
    ("data", "state"),
    [
        ({"do": "acknowledge"}, AlertState.ACKNOWLEDGED),
        ({"do": "resolve", "note": "Called her; she is with her sponsor"}, AlertState.RESOLVED),
    ],
)
def test_the_case_manager_works_an_alert_from_my_day(client, world, data, state):
    alert = _craving_alert(world)
    client.force_login(world.alice)
    response = client.post(
        reverse("alert_detail", args=[alert.pk]),
        {**data, "version": alert.version, "next": "/my-day/"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    alert.refresh_from_db()
    assert alert.state == state
    assert f'id="alert-{alert.pk}"' in response.content.decode()


def _resolve_on_my_day(client, alert, seen):
    """Resolve from the alert's card on My Day, whose list the page holds as `seen` (htmx sends
    it along: the list's hx-include)."""
    return client.post(
        reverse("alert_detail", args=[alert.pk]),
        {
            "do": "resolve",
            "note": "Called him",
            "version": alert.version,
            "next": "/my-day/",
            "seen": seen,
        },
        headers={"HX-Request": "true"},
    )


def test_an_alert_worked_from_my_day_stays_shown_done_until_something_else_changes(client, world):
    """The card answers "Resolved" where it was; the poll is told the list as it now is, so it
    does not redraw the list (and take the card away) before the person has read it, and the
    heading counts what is left."""
    alert = _craving_alert(world)
    client.force_login(world.alice)
    before = _seen(client.get(reverse("my_day")).content.decode())
    response = _resolve_on_my_day(client, alert, before)
    body = response.content.decode()
    assert response.status_code == 200 and "alert-done" in body
    assert 'hx-swap-oob="true"' in body and 'id="alerts-count"' in body
    assert body.split('id="alerts-count"')[1].split(">")[1].startswith("0<")
    after = _seen(body)
    assert after != before
    poll = client.get(reverse("my_day_alerts"), {"seen": after})
    assert poll.status_code == 204
    # Something else changes: the poll redraws the list.
    check_in(world, craving=10)
    evaluate_clients([world.client.pk])
    assert client.get(reverse("my_day_alerts"), {"seen": after}).status_code == 200


def test_an_alert_that_arrived_since_the_page_last_looked_still_shows(client, world):
    """The page holds an older list than the server's (a new alert came between two polls):
    working a card must not tell the poll the new list was seen, or the new alert would never
    be drawn."""
    first = _craving_alert(world)
    client.force_login(world.alice)
    seen = _seen(client.get(reverse("my_day")).content.decode())
    client.force_login(world.cody)
    client.post(
        reverse("concern_new", args=[world.client.pk]),
        {"text": "He said he stopped going to meetings"},
    )
    client.force_login(world.alice)
    response = _resolve_on_my_day(client, first, seen)
    assert response.status_code == 200 and "alerts-seen" not in response.content.decode()
    poll = client.get(reverse("my_day_alerts"), {"seen": seen})
    assert poll.status_code == 200 and "stopped going to meetings" in poll.content.decode()


def test_an_alert_worked_from_its_own_page_leaves_my_days_poll_alone(client, world):
    alert = _craving_alert(world)
    client.force_login(world.alice)
    response = client.post(
        reverse("alert_detail", args=[alert.pk]),
        {"do": "acknowledge", "version": alert.version, "next": f"/alerts/{alert.pk}/"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200 and "alerts-seen" not in response.content.decode()


def test_a_snooze_hides_the_alert_until_its_day(client, world):
    alert = _craving_alert(world)
    client.force_login(world.alice)
    until = timezone.localdate() + timedelta(days=2)
    response = client.post(
        reverse("alert_detail", args=[alert.pk]),
        {"do": "snooze", "until": until.isoformat(), "version": alert.version, "next": "/my-day/"},
    )
    assert response.url == "/my-day/"
    _, body = _page(client, world.alice, reverse("my_day"))
    assert "Craving 9 of 10" not in body


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"do": "resolve", "note": "  "}, "Say what was done"),
        ({"do": "snooze"}, "Choose the day it should come back"),
        ({"do": "snooze", "until": "2001-01-01"}, "Choose a day after today"),
        ({"do": "explode"}, "Select a valid choice"),
    ],
)
def test_an_action_that_cannot_be_done_says_why_and_changes_nothing(client, world, data, words):
    alert = _craving_alert(world)
    client.force_login(world.alice)
    response = client.post(
        reverse("alert_detail", args=[alert.pk]), {**data, "version": alert.version}
    )
    assert response.status_code == 400
    assert words in response.content.decode()
    alert.refresh_from_db()
    assert alert.state == AlertState.OPEN


def test_two_people_closing_the_same_alert_do_not_overwrite_each_other(client, world):
    alert = _craving_alert(world)
    client.force_login(world.sue)
    client.post(
        reverse("alert_detail", args=[alert.pk]),
        {"do": "resolve", "note": "Sue called", "version": alert.version},
    )
    client.force_login(world.alice)
    response = client.post(
        reverse("alert_detail", args=[alert.pk]),
        {"do": "resolve", "note": "Alice called", "version": alert.version},
    )
    assert response.status_code == 409
    alert.refresh_from_db()
    assert alert.resolution_note == "Sue called"


def test_a_coach_raises_a_concern_the_case_manager_sees_on_my_day(client, world):
    client.force_login(world.cody)
    form = client.get(reverse("concern_new", args=[world.client.pk]))
    assert form.status_code == 200
    response = client.post(
        reverse("concern_new", args=[world.client.pk]),
        {"text": "An old drinking friend called him twice this week"},
    )
    assert response.url == reverse("client_alerts", args=[world.client.pk])
    alert = Alert.objects.get(kind="concern")
    assert (
        alert.raised_by == world.cody and alert.title == "Concern from Cody " + world.cody.last_name
    )
    _, body = _page(client, world.alice, reverse("my_day"))
    assert "An old drinking friend called him twice this week" in body
    assert AuditEvent.objects.filter(
        object_type="alert", action="create", actor=world.cody
    ).exists()


def test_a_concern_needs_words_and_a_client_one_works_with(client, world):
    client.force_login(world.cody)
    response = client.post(reverse("concern_new", args=[world.client.pk]), {"text": ""})
    assert response.status_code == 400
    assert "Say what you are worried about" in response.content.decode()
    client.force_login(world.charlie)
    assert client.get(reverse("concern_new", args=[world.client.pk])).status_code == 404


def test_the_alerts_tab_shows_open_and_resolved_alerts(client, world):
    alert = _craving_alert(world)
    check_in(world, craving=2)
    evaluate_clients([world.client.pk])
    alert.refresh_from_db()
    assert alert.state == AlertState.RESOLVED
    _, body = _page(client, world.alice, reverse("client_alerts", args=[world.client.pk]))
    assert "Resolved lately" in body and "Craving is no longer rising or high" in body


def test_the_caseload_shows_an_open_alert_beside_the_client(client, world):
    _craving_alert(world)
    _, body = _page(client, world.alice, reverse("caseload"))
    assert "Alert: Craving 9 of 10" in body


def test_the_alerts_tab_and_the_caseload_keep_clinical_alerts_from_the_coach(client, world):
    record_screen(
        world, status="refused", specimen="", method="", panel="", results={}, observed=False
    )
    check_in(world, craving=9)
    evaluate_clients([world.client.pk])
    for url in (reverse("client_alerts", args=[world.client.pk]), reverse("caseload")):
        _, body = _page(client, world.cody, url)
        assert "Drug screen" not in body and "refused" not in body, url
        _, body = _page(client, world.alice, url)
        assert "Drug screen" in body or "Alerts (2)" in body, url


def test_emergency_access_reads_the_alerts_but_cannot_work_them_or_raise_one(client, world):
    from casebridge.access.services import break_glass_grant

    record_screen(
        world, status="refused", specimen="", method="", panel="", results={}, observed=False
    )
    evaluate_clients([world.client.pk])
    alert = Alert.objects.get(kind="screen")
    break_glass_grant(
        user=world.bob,
        client_id=world.client.pk,
        program_id=world.program.pk,
        reason="Client called in crisis; Alice is off",
    )
    response, body = _page(client, world.bob, reverse("client_alerts", args=[world.client.pk]))
    assert response.status_code == 200 and "refused" in body
    assert "Done with it?" not in body and "I'm worried about" not in body
    client.force_login(world.bob)
    assert (
        client.post(
            reverse("alert_detail", args=[alert.pk]),
            {"do": "acknowledge", "version": alert.version},
        ).status_code
        == 404
    )
    assert client.get(reverse("concern_new", args=[world.client.pk])).status_code == 404


def test_my_day_tells_the_case_manager_what_on_call_did_overnight(client, world):
    from casebridge.safety import services as safety
    from tests.safety.helpers import shift_now

    shift = shift_now(world)
    safety.on_call_open(client=world.client, by=world.bob, shift=shift)
    safety.after_hours_record(
        program=world.program,
        by=world.bob,
        at=timezone.now() - timedelta(minutes=5),
        caller="their mother",
        what_happened="Worried he had been drinking",
        what_was_done="Talked it through",
        follow_up_needed=True,
        client=world.client,
    )
    _, body = _page(client, world.alice, reverse("my_day"))
    assert "on call opened the safety plan and recent contacts of" in body
    assert "After-hours call about" in body and "follow-up needed" in body
    plan = reverse("safety_plan_home", args=[world.client.pk])
    named = f'<a href="{plan}">{world.client.display_name}</a> <span class="sub">'
    assert body.count(named + world.client.case_number) == 2
    assert "Worried he had been drinking" not in body  # the call's words stay on the record
    _, coach = _page(client, world.cody, reverse("my_day"))
    assert "On call since yesterday" not in coach


@pytest.mark.parametrize("target", ["abc", "logout", "//evil.example/x", "https://evil.example/"])
def test_after_working_an_alert_only_a_path_here_is_followed(client, world, target):
    alert = _craving_alert(world)
    client.force_login(world.alice)
    response = client.post(
        reverse("alert_detail", args=[alert.pk]),
        {"do": "acknowledge", "version": alert.version, "next": target},
    )
    assert response.status_code == 302
    assert response.url == reverse("alert_detail", args=[alert.pk])


def test_a_long_due_list_shows_its_soonest_lines_and_links_to_the_whole_list(client, world):
    from casebridge.alerts.queries import DUE_LINES_SHOWN
    from tests.factories import ClientFactory
    from tests.monitoring.helpers import days_ago, write_note

    many = DUE_LINES_SHOWN + 5
    for n in range(many):
        someone = ClientFactory(
            program=world.program, primary_case_manager=world.alice, registered_by=world.ivy
        )
        write_note(someone, world.alice, contact_at=days_ago(10 + n))
    response, body = _page(client, world.alice, reverse("my_day"))
    assert body.count("Contact note to sign") == DUE_LINES_SHOWN
    assert f"Show all {many} (overdue)" in body
    assert f'<span class="count">{many}</span>' in body
    listed = AuditEvent.objects.filter(object_type="my_day", actor=world.alice).get()
    assert len(listed.changes["client_ids"]) == DUE_LINES_SHOWN  # only whom the page shows
    response, body = _page(client, world.alice, reverse("my_day"), whole="overdue")
    assert body.count("Contact note to sign") == many
    assert f"Show the first {DUE_LINES_SHOWN} only" in body
    for junk in ("all", "client_ids", "<script>", "1" * 400):
        response, body = _page(client, world.alice, reverse("my_day"), whole=junk)
        assert response.status_code == 200
        assert body.count("Contact note to sign") == DUE_LINES_SHOWN


def test_my_day_lists_my_open_plan_tasks_of_the_week_soonest_first(client, world):
    from casebridge.plans.models import Intervention, PlanTask
    from tests.plans.helpers import ready_plan, sign_all

    sign_all(ready_plan(world), world)
    intervention = Intervention.objects.get()
    PlanTask.objects.all().delete()  # the plan's own first task: these are the ones looked at
    today = timezone.localdate()

    def task(title, days, owner=world.alice, status="open"):
        PlanTask.objects.create(
            client=world.client,
            intervention=intervention,
            owner=owner,
            title=title,
            due_on=today + timedelta(days=days),
            status=status,
            closed_at=None if status == "open" else timezone.now(),
        )

    task("Call the clinic", 3)
    task("Bring the forms", -2)
    task("Ask about housing", 0)
    task("See the week out", 7)
    task("Review next month", 30)
    task("Eight days off", 8)
    task("A task of Bob", 1, owner=world.bob)
    task("Already done", 1, status="done")
    response, body = _page(client, world.alice, reverse("my_day"))
    tasks = body[body.index('id="tasks-heading"') :]
    tasks = tasks[: tasks.index("</section>")]
    expected = ["Bring the forms", "Ask about housing", "Call the clinic", "See the week out"]
    shown = [t for t in expected if t in tasks]
    assert shown == expected
    assert tasks.index("Bring the forms") < tasks.index("Ask about housing")
    assert tasks.index("Ask about housing") < tasks.index("Call the clinic")
    assert "(overdue)" in tasks and "Jamie Rivera" in tasks
    for hidden in ("Review next month", "Eight days off", "A task of Bob", "Already done"):
        assert hidden not in tasks
    assert [t.title for t in response.context["day"].tasks] == shown

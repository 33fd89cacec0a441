"""The due items applications put on the caseload and the client page: the next deadline and
what it is for, a decision expected by a day that has passed, an authorization's next review and
the last day to appeal; one query for any number of clients, and none for a coach."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from casebridge.advocacy.models import Application
from casebridge.advocacy.queries import applications_due
from casebridge.advocacy.services import application_move, application_start
from casebridge.clients.extensions import due_items
from tests.factories import ClientFactory


def day(days):
    return timezone.localdate() + timedelta(days=days)


def start(world, client=None, **extra):
    fields = {"kind": "medicaid", "agency_name": "County DSS"} | extra
    return application_start(client=client or world.client, by=world.alice, **fields)


def test_the_soonest_deadline_says_what_it_is_for(world):
    start(world, next_deadline_on=day(9), next_deadline_for="Send pay stubs")
    start(world, kind="snap", next_deadline_on=day(4), next_deadline_for="Interview by phone")
    [item] = applications_due([world.client.pk])[world.client.pk]
    assert item.label == "SNAP (food assistance): Interview by phone (and 1 more)"
    assert (item.due_on, item.url_name) == (day(4), "application_list")


def test_a_decision_expected_and_not_come_is_due(world):
    application = start(world)
    application_move(
        application=application,
        by=world.alice,
        to_status="submitted",
        version=1,
        decision_expected_on=day(30),
    )
    assert applications_due([world.client.pk]) == {}
    Application.objects.filter(pk=application.pk).update(decision_expected_on=day(-1))
    [item] = applications_due([world.client.pk])[world.client.pk]
    assert (item.label, item.due_on) == ("Medicaid: decision expected", day(-1))


def test_an_authorization_review_and_an_appeal_deadline_are_due(world):
    start(world, kind="insurance-authorization", agency_name="Acme", level_of_care="3.5")
    Application.objects.filter(kind="insurance-authorization").update(
        next_review_on=day(6), authorization_number="PA-1"
    )
    denied = start(world, kind="ssi", agency_name="Social Security")
    denied = application_move(application=denied, by=world.alice, to_status="submitted", version=1)
    application_move(
        application=denied,
        by=world.alice,
        to_status="denied",
        version=denied.version,
        reason="not-eligible",
        appeal_by=day(60),
    )
    labels = {
        item.label: item.due_on for item in applications_due([world.client.pk])[world.client.pk]
    }
    assert labels == {
        "Authorization review (level 3.5)": day(6),
        "Last day to appeal: SSI (Supplemental Security Income)": day(60),
    }


def test_closed_applications_are_not_due(world):
    application = start(world, next_deadline_on=day(3), next_deadline_for="Sign the form")
    application_move(
        application=application,
        by=world.alice,
        to_status="withdrawn",
        version=1,
        reason="client-decided",
    )
    assert applications_due([world.client.pk]) == {}


def test_one_query_for_any_number_of_clients(world, django_assert_num_queries):
    clients = [world.client] + [
        ClientFactory(
            program=world.program, primary_case_manager=world.alice, registered_by=world.ivy
        )
        for _ in range(4)
    ]
    for client in clients:
        start(world, client=client, next_deadline_on=day(2), next_deadline_for="Bring ID")
    with django_assert_num_queries(1):
        due = applications_due([client.pk for client in clients])
    assert len(due) == 5


def test_the_coach_never_sees_them(world):
    start(world, next_deadline_on=day(2), next_deadline_for="Bring ID")
    labels = [
        item.label for item in due_items([world.client.pk], {"view", "check_in"})[world.client.pk]
    ]
    assert not any("Medicaid" in label for label in labels)


def test_the_deadline_shows_on_the_caseload_and_the_client_page(client, world):
    start(world, next_deadline_on=day(2), next_deadline_for="Bring ID")
    client.force_login(world.alice)
    assert "Medicaid: Bring ID" in client.get(reverse("caseload")).content.decode()
    page = client.get(reverse("client_overview", args=[world.client.pk])).content.decode()
    assert "Medicaid: Bring ID" in page
    client.force_login(world.cody)
    page = client.get(reverse("client_overview", args=[world.client.pk])).content.decode()
    assert "Bring ID" not in page

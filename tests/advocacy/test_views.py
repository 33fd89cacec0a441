"""The Applications tab as people use it: the case manager starts an application, records each
step and sends documents through the consent gate; a version conflict shows what changed; the
coach, a colleague not assigned and another organisation get "not found"; intake reads the
applications of a client in engagement but does not keep them."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from casebridge.advocacy.models import Application
from casebridge.advocacy.services import application_start
from casebridge.audit.models import AuditEvent
from casebridge.consents.models import Disclosure
from tests.factories import ConsentFactory


def url(name, client, **kwargs):
    return reverse(name, kwargs={"client_id": client.pk, **kwargs})


def in_days(days):
    return (timezone.localdate() + timedelta(days=days)).isoformat()


NEW = {
    "kind": "medicaid",
    "agency_name": "County Department of Social Services",
    "agency_contact": "Ms. Diaz, 555-0100",
    "reference_number": "",
    "next_deadline_on": "",
    "next_deadline_for": "",
}


def started(world, client=None):
    return application_start(
        client=client or world.client,
        by=world.alice,
        kind="snap",
        agency_name="County Department of Social Services",
    )


def test_the_case_manager_starts_submits_and_sees_it_approved(client, world):
    client.force_login(world.alice)
    listing = client.get(url("application_list", world.client)).content.decode()
    assert "Start an application" in listing and "No applications yet" in listing
    response = client.post(url("application_new", world.client), NEW)
    application = Application.objects.get()
    assert response.status_code == 302
    detail = url("application_detail", world.client, application_id=application.pk)
    move = url("application_move", world.client, application_id=application.pk)
    assert client.post(move, {"version": 1, "to_status": "submitted"}).status_code == 302
    asked = client.post(
        move,
        {
            "version": 2,
            "to_status": "more-info",
            "detail": "Three recent pay stubs",
            "next_deadline_on": in_days(10),
        },
    )
    assert asked.status_code == 302
    page = client.get(detail).content.decode()
    assert "Three recent pay stubs" in page and "More information requested" in page
    assert client.post(move, {"version": 3, "to_status": "approved"}).status_code == 302
    listing = client.get(url("application_list", world.client)).content.decode()
    assert "Medicaid" in listing and "Approved" in listing
    assert AuditEvent.objects.filter(object_type="application", action="view").exists()


def test_a_refused_move_is_shown_beside_its_field(client, world):
    application = started(world)
    client.force_login(world.alice)
    move = url("application_move", world.client, application_id=application.pk)
    client.post(move, {"version": 1, "to_status": "submitted"})
    response = client.post(move, {"version": 2, "to_status": "denied"})
    assert response.status_code == 200
    assert 'id="move-reason_error"' in response.content.decode()
    assert Application.objects.get().status == "submitted"


def test_two_people_at_once_the_second_sees_what_changed(client, world):
    application = started(world)
    move = url("application_move", world.client, application_id=application.pk)
    client.force_login(world.alice)
    client.post(move, {"version": 1, "to_status": "submitted"})
    client.force_login(world.sue)
    response = client.post(move, {"version": 1, "to_status": "withdrawn", "reason": "in-error"})
    assert response.status_code == 409
    page = response.content.decode()
    assert "Someone else changed this" in page and 'name="version" value="2"' in page
    assert Application.objects.get().status == "submitted"


def test_sending_documents_without_a_consent_says_so_and_sends_nothing(client, world):
    application = started(world)
    client.force_login(world.alice)
    send = url("application_send", world.client, application_id=application.pk)
    post = {"description": "Treatment letter", "categories": ["attendance"], "method": "faxed"}
    response = client.post(send, post)
    assert response.status_code == 200
    assert "No consent covers this disclosure" in response.content.decode()
    assert not Disclosure.objects.exists()
    ConsentFactory(
        client=world.client,
        recipient_kind="named",
        recipient_name="County Department of Social Services",
        purpose="benefits",
        categories=["attendance"],
    )
    assert client.post(send, post).status_code == 302
    page = client.get(url("application_detail", world.client, application_id=application.pk))
    assert "Treatment letter" in page.content.decode()


def test_an_authorization_records_its_details_on_its_page(client, world):
    client.force_login(world.alice)
    client.post(
        url("application_new", world.client),
        NEW | {"kind": "insurance-authorization", "agency_name": "Acme", "level_of_care": "2.1"},
    )
    application = Application.objects.get()
    saved = client.post(
        url("application_authorization", world.client, application_id=application.pk),
        {
            "version": 1,
            "level_of_care": "2.1",
            "authorization_number": "PA-77",
            "approved_from": in_days(0),
            "approved_to": in_days(27),
            "units_approved": "12",
            "unit_kind": "sessions",
            "next_review_on": in_days(14),
        },
    )
    assert saved.status_code == 302
    page = client.get(url("application_detail", world.client, application_id=application.pk))
    assert "12 sessions" in page.content.decode() and "PA-77" in page.content.decode()


def test_a_denial_is_appealed_from_its_page(client, world):
    application = started(world)
    client.force_login(world.alice)
    move = url("application_move", world.client, application_id=application.pk)
    client.post(move, {"version": 1, "to_status": "submitted"})
    client.post(
        move, {"version": 2, "to_status": "denied", "reason": "income", "appeal_by": in_days(30)}
    )
    page = client.get(url("application_detail", world.client, application_id=application.pk))
    assert "Appeal the denial" in page.content.decode()
    response = client.post(
        url("application_appeal", world.client, application_id=application.pk),
        {"version": 3, "agency_name": "State Fair Hearings Office"},
    )
    appeal = Application.objects.get(appeal_of=application)
    assert response.url == url("application_detail", world.client, application_id=appeal.pk)
    assert Application.objects.get(pk=application.pk).status == "appealed"


@pytest.mark.parametrize("who", ["cody", "bob", "ivy", "ada", "aud", "charlie", "otto"])
def test_others_get_not_found(client, world, who):
    application = started(world)
    client.force_login(getattr(world, who))
    for name, kwargs in (
        ("application_list", {}),
        ("application_new", {}),
        ("application_detail", {"application_id": application.pk}),
    ):
        assert client.get(url(name, world.client, **kwargs)).status_code == 404
    for name in ("application_move", "application_dates", "application_send"):
        posted = client.post(
            url(name, world.client, application_id=application.pk),
            {"version": 1, "to_status": "withdrawn", "reason": "in-error"},
        )
        assert posted.status_code == 404
    assert Application.objects.get().status == "preparing"


def test_another_organisations_client_is_not_found(client, world):
    client.force_login(world.alice)
    assert client.get(url("application_list", world.foreign_client)).status_code == 404


def test_intake_reads_but_does_not_keep_applications(client, world):
    application = started(world, client=world.engagement_client)
    client.force_login(world.ivy)
    listing = client.get(url("application_list", world.engagement_client))
    assert listing.status_code == 200
    assert "Start an application" not in listing.content.decode()
    detail = client.get(
        url("application_detail", world.engagement_client, application_id=application.pk)
    )
    assert detail.status_code == 200 and "Record what happened" not in detail.content.decode()
    assert client.get(url("application_new", world.engagement_client)).status_code == 404
    moved = client.post(
        url("application_move", world.engagement_client, application_id=application.pk),
        {"version": 1, "to_status": "submitted"},
    )
    assert moved.status_code == 404


def test_the_tab_is_on_the_client_page_for_those_who_read_clinical_content(client, world):
    client.force_login(world.alice)
    overview = client.get(reverse("client_overview", args=[world.client.pk])).content.decode()
    assert url("application_list", world.client) in overview
    client.force_login(world.cody)
    overview = client.get(reverse("client_overview", args=[world.client.pk])).content.decode()
    assert "/applications/" not in overview

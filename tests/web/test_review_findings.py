"""Privacy details: every opened record is audited, duplicates say only what the person may
see, team counts and addresses are not fooled, and claims that open the gate are kept."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import RequestFactory, override_settings
from django.utils import timezone

from casebridge.access.models import BreakGlassGrant
from casebridge.audit.context import remote_addr_of
from casebridge.audit.models import AuditEvent
from casebridge.consents import services as consent_services
from casebridge.consents.gate import Recipient
from tests.factories import ClientFactory, ConsentFactory


def test_opening_an_edit_page_is_audited_as_a_read_with_its_purpose(client, world):
    client.force_login(world.alice)
    client.get(f"/clients/{world.client.pk}/details/")
    event = AuditEvent.objects.filter(action="view", client_id=world.client.pk).latest("id")
    assert event.changes == {"opened_to": "change"}


def test_a_duplicate_on_someone_elses_caseload_is_not_named(client, world):
    client.force_login(world.bob)
    response = client.post(
        "/clients/new/",
        {
            "legal_first_name": "Jamie",
            "legal_last_name": "Rivera",
            "date_of_birth": world.client.date_of_birth.isoformat(),
            "preferred_language": "English",
            "referral_source": "self",
            "case_management_model": "clinical",
            "program": world.program.pk,
        },
    )
    body = response.content.decode()
    assert "1 possible match is on a caseload you do not work with" in body
    assert world.client.case_number not in body
    check = AuditEvent.objects.get(object_type="duplicate_check")
    assert check.changes["client_ids"] == [world.client.pk]


def test_team_counts_leave_out_emergency_access(world):
    from casebridge.clients.queries import team_counts, team_page

    other = ClientFactory(
        program=world.other_program, primary_case_manager=world.bob, registered_by=world.ivy
    )
    BreakGlassGrant.objects.create(
        user=world.sue,
        client=other,
        reason="crisis call",
        expires_at=timezone.now() + timedelta(minutes=30),
    )
    counts = team_counts(world.sue, team_page(world.sue))
    assert {row["name"]: row["open_cases"] for row in counts.rows}["Bob Staff"] == 0


def test_an_event_cannot_end_a_revoked_consent(world):
    consent = ConsentFactory(
        client=world.client,
        recipient_kind="named",
        recipient_name="X",
        expiry_kind="event",
        expires_on=None,
        expiry_event="end of treatment",
        created_by=world.alice,
    )
    consent_services.consent_revoke(
        consent=consent, by=world.alice, revoked_on=timezone.localdate(), method="phone"
    )
    with pytest.raises(ValidationError):
        consent_services.consent_event_happened(
            consent=consent, by=world.alice, happened_on=timezone.localdate()
        )


def test_the_health_care_claim_that_lets_a_tpo_consent_cover_a_recipient_is_kept(world):
    ConsentFactory(
        client=world.client,
        recipient_kind="tpo",
        recipient_name="",
        purpose="treatment",
        categories=["plan"],
        expiry_kind="none",
        expires_on=None,
        created_by=world.alice,
    )
    disclosure = consent_services.disclosure_record(
        client=world.client,
        by=world.alice,
        recipient=Recipient(name="Valley Clinic", is_health_care=True),
        categories={"plan"},
        purpose="treatment",
        description="Care plan",
        method="faxed",
    )
    assert disclosure.recipient_is_health_care
    event = AuditEvent.objects.get(object_type="disclosure", object_id=str(disclosure.pk))
    assert event.changes["recipient_is_health_care"] == [None, True]


@override_settings(SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"))
def test_the_address_recorded_is_the_one_our_proxy_saw_not_one_the_client_made_up():
    request = RequestFactory().get(
        "/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9", REMOTE_ADDR="10.0.0.2"
    )
    assert remote_addr_of(request) == "203.0.113.9"


def test_a_failed_form_lists_each_problem_at_its_top_linking_to_the_field(client, world):
    client.force_login(world.alice)
    response = client.post(f"/clients/{world.client.pk}/measures/phq9/new/", {"item_1": 0})
    body = response.content.decode()
    assert "data-error-summary" in body
    assert "9 things to fix before this can be saved" in body  # 8 questions and the note
    assert 'href="#id_item_9_0"' in body
    # The summary comes before the first question.
    assert body.index("data-error-summary") < body.index('id="q-item_1"')

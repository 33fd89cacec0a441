"""The referral packet: the referral and who referred, then only the information the disclosure
recorded at sending covered, each category from the client's record (saying so when nothing is
recorded), and the Part 2 redisclosure notice; no packet once the consent is revoked or has
ended; the PDF is for staff who read the referral, audited, named by ids only."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from casebridge.audit.models import AuditEvent
from casebridge.consents.models import Consent
from casebridge.consents.services import consent_revoke
from casebridge.referrals.packet import PacketWithheld, packet_pdf, referral_packet
from casebridge.referrals.services import referral_draft, referral_send
from tests.factories import ConsentFactory
from tests.monitoring.recovery_helpers import all_negative, prescribe, record_meeting, record_screen
from tests.pdf_text import pdf_words
from tests.plans.helpers import ready_plan, sign_all

# Distinctive values from each part of the record, to find in (or miss from) a packet.
GOAL = "I want my own place"
SCREEN = "cocaine"
MEDICATION = "Suboxone"
NOTICE = "A general authorization for the release of medical or other information is NOT"


def sent_referral(world, categories=("plan",), provider="Hope House", client=None):
    """A referral to `provider` sent with `categories`, under a consent naming the provider."""
    client = client or world.client
    ConsentFactory(
        client=client,
        recipient_kind="named",
        recipient_name=provider,
        purpose="treatment",
        categories=list(categories),
    )
    referral = referral_draft(
        client=client,
        by=world.alice,
        provider_name=provider,
        service_name="Recovery housing",
        provider_contact="555-0100, intake desk",
        reason="Needs a sober place to live after residential treatment.",
        need_domain="housing",
        urgency="soon",
        information=list(categories),
    )
    return referral_send(referral=referral, by=world.alice, version=referral.version)


def fill_record(world):
    """A client with a plan in effect, a positive drug screen, a meeting and a prescription."""
    sign_all(ready_plan(world), world)
    record_screen(world, results=all_negative(cocaine="positive"))
    record_meeting(world)
    prescribe(world)
    return world


@pytest.fixture
def record(world):
    return fill_record(world)


def words(referral):
    return pdf_words(packet_pdf(referral_packet(referral)))


def test_the_packet_holds_the_referral_who_referred_and_the_notice(record):
    referral = sent_referral(record, ["plan"])
    text = words(referral)
    for expected in [
        "Referral to Recovery housing",
        "Hope House",
        "555-0100, intake desk",
        "Soon (within a week)",
        "Needs a sober place to live",
        "Housing",
        "Alice",
        "Riverside",
        "Jamie Rivera",
        NOTICE,
    ]:
        assert expected in text, expected


def test_only_the_consented_categories_are_in_the_packet(record):
    plan_only = words(sent_referral(record, ["plan"]))
    assert GOAL in plan_only
    assert SCREEN not in plan_only.lower()
    assert MEDICATION not in plan_only
    screens_only = words(sent_referral(record, ["drug_screens"], provider="Oak Clinic"))
    assert SCREEN in screens_only.lower()
    assert GOAL not in screens_only
    assert MEDICATION not in screens_only


def test_all_substance_use_records_cover_every_category_and_the_medications(record):
    text = words(sent_referral(record, ["all_sud"]))
    assert GOAL in text and SCREEN in text.lower() and MEDICATION in text
    assert "Mutual-help meetings attended" in text


def test_a_category_with_nothing_recorded_says_so(world):
    packet = referral_packet(sent_referral(world, ["diagnoses", "drug_screens", "discharge"]))
    assert [section.category for section in packet.sections] == [
        "drug_screens",
        "diagnoses",
        "discharge",
    ]
    assert all(not section.lines for section in packet.sections)
    text = pdf_words(packet_pdf(packet))
    assert "No diagnoses are recorded" in text
    assert "No drug screens are recorded in the last 90 days" in text
    assert "The client has not been discharged" in text


def test_the_packet_follows_the_recorded_disclosure_not_a_wider_consent(record):
    referral = sent_referral(record, ["plan"])
    Consent.objects.filter(pk=referral.disclosure.consent_id).update(
        categories=["plan", "drug_screens"]
    )
    referral.refresh_from_db()
    assert referral_packet(referral).categories == ["plan"]


def test_no_packet_once_the_consent_is_revoked(record):
    referral = sent_referral(record, ["plan"])
    consent_revoke(
        consent=referral.disclosure.consent,
        by=record.alice,
        revoked_on=timezone.localdate(),
        method="phone",
    )
    referral.refresh_from_db()
    with pytest.raises(PacketWithheld, match="revoked"):
        referral_packet(referral)


def test_no_packet_once_the_consent_has_ended(record):
    referral = sent_referral(record, ["plan"])
    Consent.objects.filter(pk=referral.disclosure.consent_id).update(
        expires_on=timezone.localdate() - timedelta(days=1)
    )
    referral.refresh_from_db()
    with pytest.raises(PacketWithheld, match="expired"):
        referral_packet(referral)


def test_no_packet_for_a_draft_or_a_referral_sent_without_information(world):
    draft = referral_draft(
        client=world.client, by=world.alice, provider_name="Hope House", reason="Housing"
    )
    with pytest.raises(PacketWithheld, match="not been sent"):
        referral_packet(draft)
    bare = referral_send(referral=draft, by=world.alice, version=draft.version)
    with pytest.raises(PacketWithheld, match="No information"):
        referral_packet(bare)


def pdf_url(referral):
    return reverse("referral_packet_pdf", args=[referral.client_id, referral.pk])


def test_staff_who_read_the_referral_download_the_pdf_audited(client, record):
    referral = sent_referral(record, ["plan"])
    client.force_login(record.sue)
    response = client.get(pdf_url(referral))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="referral-{referral.pk}-packet.pdf"'
    )
    assert "no-store" in response["Cache-Control"]
    assert GOAL in pdf_words(response.content)
    printed = AuditEvent.objects.get(action="print", object_type="referral_packet")
    assert (printed.client_id, printed.actor, printed.object_id) == (
        record.client.pk,
        record.sue,
        str(referral.pk),
    )
    assert printed.changes == {"categories": ["plan"]}
    assert AuditEvent.objects.filter(
        action="view", client_id=record.client.pk, actor=record.sue
    ).exists()


@pytest.mark.parametrize("who", ["bob", "cody", "charlie", "ada"])
def test_others_get_not_found(client, record, who):
    referral = sent_referral(record, ["plan"])
    client.force_login(getattr(record, who))
    assert client.get(pdf_url(referral)).status_code == 404
    assert not AuditEvent.objects.filter(object_type="referral_packet").exists()


def test_a_withheld_packet_says_why_on_the_referral_page(client, record):
    referral = sent_referral(record, ["plan"])
    consent_revoke(
        consent=referral.disclosure.consent,
        by=record.alice,
        revoked_on=timezone.localdate(),
        method="phone",
    )
    client.force_login(record.alice)
    response = client.get(pdf_url(referral), follow=True)
    assert response.redirect_chain[-1][0].endswith(f"/referrals/{referral.pk}/")
    page = response.content.decode()
    assert "The consent this referral was sent under is revoked" in page
    assert not AuditEvent.objects.filter(object_type="referral_packet").exists()

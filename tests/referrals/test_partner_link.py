"""The provider's link: staff who may disclose make one for a sent referral (the address shown
once, only its hash kept, optionally emailed with nothing about the client); the provider opens
it without an account to read the consented packet and answer (accept, decline with a reason,
first appointment, how it ended), each answer a move of the provider's side of the one status
table, recorded as the provider's and audited with the link as the actor. An expired, withdrawn,
replaced, closed or no-longer-consented link shows one plain page and nothing else; a link acts
on its own referral only; a stale page is refused, never saved over."""

import hashlib
import logging
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from casebridge.audit.models import AuditEvent
from casebridge.audit.services import audit_verify
from casebridge.clients.models import TimelineEntry
from casebridge.consents.services import consent_revoke
from casebridge.referrals import partner
from casebridge.referrals.models import Referral, ReferralEvent, ReferralLink
from casebridge.referrals.services import referral_move
from casebridge.referrals.statuses import (
    PROVIDER_MOVES,
    REASONS,
    ReferralStatus,
)
from tests.referrals.test_packet import GOAL, NOTICE, SCREEN, fill_record, sent_referral

GONE = "This link has expired or was withdrawn"
TOKEN = re.compile(r"/partner/referrals/([A-Za-z0-9_-]{43})/")


def make_link(http, world, referral, **post):
    http.force_login(world.alice)
    response = http.post(
        reverse("referral_link", args=[referral.client_id, referral.pk]),
        {"days": 30, "email": "", **post},
    )
    assert response.status_code == 200, response.content.decode()
    http.logout()
    return TOKEN.search(response.content.decode()).group(1)


def page_url(token, answer=""):
    if answer:
        return reverse(f"partner_{answer}", kwargs={"token": token})
    return reverse("partner_referral", kwargs={"token": token})


def fresh(referral):
    return Referral.objects.get(pk=referral.pk)


@pytest.fixture
def sent(world):
    """A referral sent with the care plan, from a record that holds more than the plan."""
    return sent_referral(fill_record(world), ["plan"])


# --- Making and withdrawing a link -------------------------------------------------------------


def test_staff_make_a_link_shown_once_and_only_its_hash_is_kept(client, world, sent):
    client.force_login(world.alice)
    detail = client.get(reverse("referral_detail", args=[world.client.pk, sent.pk]))
    assert "Provider access" in detail.content.decode()
    assert "Give the provider a link" in detail.content.decode()
    response = client.post(
        reverse("referral_link", args=[world.client.pk, sent.pk]), {"days": 10, "email": ""}
    )
    assert response.status_code == 200
    assert response["Referrer-Policy"] == "strict-origin"
    token = TOKEN.search(response.content.decode()).group(1)
    link = ReferralLink.objects.get()
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(list(ReferralLink.objects.values_list()))
    assert token not in str(list(AuditEvent.objects.values_list("changes", flat=True)))
    assert timedelta(days=9, hours=23) < link.expires_at - timezone.now() <= timedelta(days=10)
    created = AuditEvent.objects.get(object_type="referral_link", action="create")
    assert (created.actor, created.client_id) == (world.alice, world.client.pk)
    # Shown once: the referral's page never shows the address again.
    again = client.get(reverse("referral_detail", args=[world.client.pk, sent.pk]))
    assert token not in again.content.decode()
    assert "Works until" in again.content.decode()


@pytest.mark.parametrize("days", ["0", "91", "-1", "abc", "", "²"])
def test_the_length_of_a_link_is_one_to_ninety_days(client, world, sent, days):
    client.force_login(world.alice)
    response = client.post(
        reverse("referral_link", args=[world.client.pk, sent.pk]), {"days": days}
    )
    assert response.status_code == 400
    assert "Give a number of days from 1 to 90." in response.content.decode()
    assert not ReferralLink.objects.exists()


def test_the_email_holds_the_link_and_the_agency_only(client, world, sent):
    token = make_link(client, world, sent, email="intake@hopehouse.example")
    [message] = mail.outbox
    assert message.to == ["intake@hopehouse.example"]
    assert token in message.body and "Riverside" in message.body
    everything = message.subject + message.body
    for secret in ["Jamie", "Rivera", world.client.case_number, "Hope House", "housing"]:
        assert secret not in everything
    # The trail says where the link went, and that it went.
    rows = AuditEvent.objects.filter(object_type="referral_link").order_by("pk")
    assert rows[0].changes["email_to"] == [None, "intake@hopehouse.example"]
    assert rows.last().changes == {"emailed": [None, True]}


def test_a_bad_email_address_is_refused_in_plain_words(client, world, sent):
    client.force_login(world.alice)
    response = client.post(
        reverse("referral_link", args=[world.client.pk, sent.pk]), {"days": 5, "email": "nope"}
    )
    assert response.status_code == 400
    assert "Give an email address like intake@example.org" in response.content.decode()
    assert not ReferralLink.objects.exists() and not mail.outbox


@pytest.mark.parametrize("who", ["bob", "cody", "ivy", "charlie", "ada"])
def test_only_staff_who_may_disclose_make_or_withdraw_links(client, world, sent, who):
    client.force_login(getattr(world, who))
    url = reverse("referral_link", args=[world.client.pk, sent.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"days": 30}).status_code == 404
    revoke = reverse("referral_link_revoke", args=[world.client.pk, sent.pk])
    assert client.post(revoke).status_code == 404
    assert not ReferralLink.objects.exists()


def test_no_link_for_a_draft_or_a_closed_referral_or_without_consent(client, world, sent):
    draft_ = Referral.objects.create(
        client=world.client, provider_name="Oak", reason="x", created_by=world.alice
    )
    with pytest.raises(ValidationError, match="Send the referral first"):
        partner.link_create(referral=draft_, by=world.alice, address_of=str)
    consent_revoke(
        consent=sent.disclosure.consent,
        by=world.alice,
        revoked_on=timezone.localdate(),
        method="phone",
    )
    client.force_login(world.alice)
    response = client.post(reverse("referral_link", args=[world.client.pk, sent.pk]), {"days": 5})
    assert "The consent this referral was sent under is revoked" in response.content.decode()
    closed = referral_move(
        referral=fresh(sent),
        by=world.alice,
        to_status="cancelled",
        version=fresh(sent).version,
        reason="need-met",
    )
    with pytest.raises(ValidationError, match="closed"):
        partner.link_create(referral=closed, by=world.alice, address_of=str)
    assert not ReferralLink.objects.exists()


# --- The provider's page -------------------------------------------------------------------------


def test_the_provider_sees_only_the_consented_packet_privately(client, world, sent, caplog):
    token = make_link(client, world, sent)
    caplog.set_level(logging.DEBUG)
    response = client.get(page_url(token))
    assert response.status_code == 200
    page = response.content.decode()
    assert GOAL in page and NOTICE in page and "Jamie Rivera" in page
    assert SCREEN not in page.lower() and "Suboxone" not in page
    assert '<meta name="robots" content="noindex, nofollow">' in page
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Referrer-Policy"] == "strict-origin"
    assert "no-store" in response["Cache-Control"]
    assert "Accept the referral" in page and "Decline the referral" in page
    assert "Report how it ended" not in page  # not accepted yet
    viewed = AuditEvent.objects.get(action="view", object_type="referral", actor__isnull=True)
    link = ReferralLink.objects.get()
    assert viewed.actor_username == f"provider link {link.pk}"
    assert (viewed.client_id, viewed.organisation_id) == (world.client.pk, world.org.pk)
    assert viewed.changes == {"link": link.pk, "categories": ["plan"]}
    assert link.last_used_at is not None
    assert "Jamie" not in caplog.text and "Rivera" not in caplog.text and token not in caplog.text
    assert audit_verify() == []


def gone(response, status):
    page = response.content.decode()
    assert response.status_code == status
    assert GONE in page
    for secret in ["Jamie", "Rivera", "Hope House", "Riverside", "housing", GOAL]:
        assert secret not in page
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_an_unknown_or_malformed_address_reveals_nothing(client, world, sent):
    make_link(client, world, sent)
    gone(client.get(page_url("A" * 43)), 404)
    gone(client.get("/partner/referrals/short/"), 404)
    gone(client.post(page_url("A" * 43, "accept"), {"accept-version": 2}), 404)


def test_an_expired_link_reveals_nothing_and_the_refusal_is_audited(client, world, sent):
    token = make_link(client, world, sent)
    ReferralLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    gone(client.get(page_url(token)), 410)
    gone(client.post(page_url(token, "accept"), {"accept-version": fresh(sent).version}), 410)
    assert fresh(sent).status == "requested"
    refused = AuditEvent.objects.filter(action="refused", object_type="referral_link")
    assert refused.count() == 2
    assert {row.changes["reason"] for row in refused} == {"expired"}


def test_a_withdrawn_or_replaced_link_reveals_nothing(client, world, sent):
    first = make_link(client, world, sent)
    second = make_link(client, world, sent)
    gone(client.get(page_url(first)), 410)
    assert client.get(page_url(second)).status_code == 200
    assert ReferralLink.objects.filter(revoked_at__isnull=True).count() == 1
    client.force_login(world.alice)
    withdrawn = client.post(reverse("referral_link_revoke", args=[world.client.pk, sent.pk]))
    assert withdrawn.status_code == 302
    client.logout()
    gone(client.get(page_url(second)), 410)
    assert (
        AuditEvent.objects.filter(
            object_type="referral_link", action="update", actor=world.alice
        ).count()
        == 2
    )


def test_a_closed_referral_or_a_revoked_consent_closes_the_link(client, world, sent):
    token = make_link(client, world, sent)
    consent_revoke(
        consent=sent.disclosure.consent,
        by=world.alice,
        revoked_on=timezone.localdate(),
        method="phone",
    )
    gone(client.get(page_url(token)), 410)
    other = sent_referral(world, ["plan"], provider="Oak Clinic")
    token = make_link(client, world, other)
    referral_move(
        referral=other,
        by=world.alice,
        to_status="cancelled",
        version=fresh(other).version,
        reason="need-met",
    )
    gone(client.get(page_url(token)), 410)


def test_a_link_shows_and_acts_on_its_own_referral_only(client, world, sent):
    other = sent_referral(world, ["drug_screens"], provider="Oak Clinic")
    token = make_link(client, world, sent)
    page = client.get(page_url(token)).content.decode()
    assert "Oak Clinic" not in page and SCREEN not in page.lower()
    # The version of the other referral, posted to this link, moves only this link's referral.
    response = client.post(page_url(token, "accept"), {"accept-version": fresh(sent).version})
    assert response.status_code == 302
    assert fresh(sent).status == "accepted"
    assert fresh(other).status == "requested"
    assert not ReferralEvent.objects.filter(referral=other, for_provider=True).exists()


# --- The provider's answers ------------------------------------------------------------------------


def provider_rows(referral):
    return AuditEvent.objects.filter(
        action="update", object_type="referral", object_id=str(referral.pk), actor__isnull=True
    )


def test_the_provider_accepts_books_the_first_appointment_and_reports_the_outcome(
    client, world, sent
):
    token = make_link(client, world, sent)
    link = ReferralLink.objects.get()
    accepted = client.post(page_url(token, "accept"), {"accept-version": fresh(sent).version})
    assert accepted.status_code == 302 and accepted.url.endswith("?answered=1")
    assert "Thank you. Your answer is recorded" in client.get(accepted.url).content.decode()
    assert fresh(sent).status == "accepted" and fresh(sent).answered_at is not None

    day = timezone.localdate() + timedelta(days=3)
    booked = client.post(
        page_url(token, "schedule"),
        {
            "schedule-version": fresh(sent).version,
            "schedule-day": day.isoformat(),
            "schedule-time": "10:30",
            "schedule-place": "12 Main St, intake desk",
        },
    )
    assert booked.status_code == 302
    assert fresh(sent).status == "in-progress"
    connected_at = fresh(sent).connected_at  # the measures' time to connection
    assert connected_at is not None
    assert "12 Main St, intake desk" in fresh(sent).status_detail
    assert "10:30 AM" in fresh(sent).status_detail
    assert fresh(sent).next_follow_up_on == day + timedelta(days=1)

    done = client.post(
        page_url(token, "outcome"),
        {
            "outcome-version": fresh(sent).version,
            "outcome-result": "completed",
            "outcome-outcome": "housed",
            "outcome-outcome_note": "Moved in on Friday",
        },
    )
    assert (done.status_code, done.url) == (302, reverse("partner_thanks"))
    thanks = client.get(done.url)
    assert "your answer is recorded" in thanks.content.decode()
    assert "Jamie" not in thanks.content.decode()
    finished = fresh(sent)
    assert (finished.status, finished.outcome, finished.outcome_note) == (
        "completed",
        "housed",
        "Moved in on Friday",
    )
    assert finished.closed_at is not None
    assert finished.connected_at == connected_at
    events = list(ReferralEvent.objects.filter(referral=sent, for_provider=True))
    assert [e.to_status for e in events] == ["accepted", "in-progress", "completed"]
    assert all(e.by is None for e in events)
    rows = provider_rows(sent)
    assert rows.count() == 3
    assert {row.actor_username for row in rows} == {f"provider link {link.pk}"}
    assert all(row.organisation_id == world.org.pk for row in rows)
    assert (
        TimelineEntry.objects.filter(
            client=world.client, summary__contains="answered through its link"
        ).count()
        == 3
    )
    # Closed: the link stops working, and the staff page shows whose answer it was.
    gone(client.get(page_url(token)), 410)
    client.force_login(world.alice)
    detail = client.get(reverse("referral_detail", args=[world.client.pk, sent.pk]))
    assert "through the provider's link" in detail.content.decode()
    assert audit_verify() == []


def test_the_provider_declines_with_a_reason_said_in_plain_words(client, world, sent):
    token = make_link(client, world, sent)
    version = fresh(sent).version
    missing = client.post(page_url(token, "decline"), {"decline-version": version})
    assert missing.status_code == 400
    assert "Say why you decline the referral." in missing.content.decode()
    other = client.post(
        page_url(token, "decline"), {"decline-version": version, "decline-reason": "other"}
    )
    assert "Say what the other reason is." in other.content.decode()
    assert fresh(sent).status == "requested"
    declined = client.post(
        page_url(token, "decline"),
        {"decline-version": version, "decline-reason": "no-capacity", "decline-detail": "Full"},
    )
    assert declined.status_code == 302
    referral = fresh(sent)
    assert (referral.status, referral.status_reason, referral.status_detail) == (
        "rejected",
        "no-capacity",
        "Full",
    )
    assert ReferralEvent.objects.get(referral=sent, to_status="rejected").for_provider
    assert provider_rows(sent).count() == 1


def test_the_provider_reports_a_no_show(client, world, sent):
    token = make_link(client, world, sent)
    client.post(page_url(token, "accept"), {"accept-version": fresh(sent).version})
    response = client.post(
        page_url(token, "outcome"),
        {"outcome-version": fresh(sent).version, "outcome-result": "failed"},
    )
    assert response.status_code == 400
    assert "Say why it did not happen." in response.content.decode()
    assert fresh(sent).status == "accepted"
    response = client.post(
        page_url(token, "outcome"),
        {
            "outcome-version": fresh(sent).version,
            "outcome-result": "failed",
            "outcome-reason": "no-show",
        },
    )
    assert response.status_code == 302
    assert (fresh(sent).status, fresh(sent).status_reason) == ("failed", "no-show")


def test_a_stale_page_is_refused_and_nothing_is_saved_over(client, world, sent):
    token = make_link(client, world, sent)
    opened = fresh(sent).version
    referral_move(
        referral=fresh(sent),
        by=world.alice,
        to_status="accepted",
        version=opened,
        for_provider=True,
    )
    stale = client.post(
        page_url(token, "decline"), {"decline-version": opened, "decline-reason": "no-capacity"}
    )
    assert stale.status_code == 409
    assert "Nothing was saved" in stale.content.decode()
    assert fresh(sent).status == "accepted"
    # Same status, older version: the service's version check refuses it.
    current = fresh(sent)
    Referral.objects.filter(pk=sent.pk).update(version=current.version + 1)
    refused = client.post(
        page_url(token, "outcome"),
        {
            "outcome-version": current.version,
            "outcome-result": "completed",
            "outcome-outcome": "housed",
        },
    )
    assert refused.status_code == 409 and fresh(sent).status == "accepted"
    assert client.post(page_url(token, "accept"), {"accept-version": "junk"}).status_code == 409


@pytest.mark.parametrize("from_status", list(ReferralStatus.values))
def test_the_provider_makes_only_the_provider_moves(world, sent, from_status):
    """Every move from every status: allowed exactly when PROVIDER_MOVES has it."""
    token_link, _, _ = partner.link_create(referral=sent, by=world.alice, address_of=str)
    for to_status in ReferralStatus.values:
        with transaction.atomic():
            Referral.objects.filter(pk=sent.pk).update(status=from_status, closed_at=None)
            link = ReferralLink.objects.select_related("referral__client").get(pk=token_link.pk)
            extra = {}
            if to_status in REASONS:
                extra["reason"] = sorted(REASONS[to_status] - {"other"})[0]
            if to_status == "completed":
                extra["outcome"] = "housed"
            try:
                partner.partner_answer(
                    link=link, to_status=to_status, version=fresh(sent).version, **extra
                )
                moved = True
            except (ValidationError, partner.LinkStopped):
                moved = False
            assert moved == (to_status in PROVIDER_MOVES[from_status]), (from_status, to_status)
            transaction.set_rollback(True)


def test_csrf_stays_on_for_the_provider(world, sent):
    http = HttpClient(enforce_csrf_checks=True)
    token = make_link(HttpClient(), world, sent)
    response = http.post(page_url(token, "accept"), {"accept-version": fresh(sent).version})
    assert response.status_code == 403
    assert fresh(sent).status == "requested"


def test_a_link_that_stops_while_the_answer_is_on_its_way_is_refused_on_the_trail(
    client, world, sent, monkeypatch
):
    token = make_link(client, world, sent)
    client.logout()

    def stopped(**kwargs):
        raise partner.LinkStopped

    monkeypatch.setattr(partner, "partner_answer", stopped)
    response = client.post(page_url(token, "accept"), {"accept-version": fresh(sent).version})
    gone(response, 410)
    refusal = AuditEvent.objects.filter(object_type="referral_link", action="refused").get()
    assert refusal.changes == {"reason": "stopped while answering"}
    assert fresh(sent).status == "requested"

"""Referral services: a draft names a provider and says why; sending passes the consent gate
(refused and nothing saved without a consent that covers it, recorded as a disclosure with
one); every status move follows the table with its reason, is on the record and the timeline;
completing records what came of it; the follow-up log; two people never overwrite each other."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from casebridge.audit.models import AuditEvent
from casebridge.audit.versions import VersionConflict
from casebridge.clients.models import TimelineEntry
from casebridge.consents.models import Disclosure
from casebridge.consents.services import DisclosureRefused
from casebridge.referrals.models import Referral, ReferralEvent
from casebridge.referrals.services import (
    communication_record,
    referral_draft,
    referral_move,
    referral_send,
)
from tests.factories import ConsentFactory


def draft(world, **overrides):
    fields = {
        "client": world.client,
        "by": world.alice,
        "provider_name": "Hope House",
        "service_name": "Recovery housing",
        "reason": "Needs a sober place to live after residential treatment.",
        "need_domain": "housing",
        "urgency": "soon",
    }
    fields.update(overrides)
    return referral_draft(**fields)


def consent_for(world, name="Hope House", categories=("progress",)):
    return ConsentFactory(
        client=world.client,
        recipient_kind="named",
        recipient_name=name,
        purpose="treatment",
        categories=list(categories),
    )


def test_a_draft_names_a_provider_and_says_why(world):
    with pytest.raises(ValidationError) as refused:
        draft(world, provider_name=" ", reason="")
    assert set(refused.value.message_dict) == {"provider_name", "reason"}
    assert not Referral.objects.exists()
    referral = draft(world)
    assert (referral.status, referral.version) == ("draft", 1)
    assert AuditEvent.objects.filter(object_type="referral", action="create").count() == 1


@pytest.mark.parametrize("who", ["cody", "ivy", "ada", "aud", "charlie"])
def test_only_those_who_may_disclose_refer(world, who):
    with pytest.raises(ValidationError):
        draft(world, by=getattr(world, who))
    assert not Referral.objects.exists()


def test_sending_information_without_a_consent_is_refused_and_saves_nothing(world):
    referral = draft(world, information=["progress"])
    with pytest.raises(DisclosureRefused):
        referral_send(referral=referral, by=world.alice, version=referral.version)
    referral.refresh_from_db()
    assert referral.status == "draft" and referral.sent_at is None
    assert not Disclosure.objects.exists()
    assert not ReferralEvent.objects.exists()
    # The refusal itself is on the audit trail.
    assert AuditEvent.objects.filter(object_type="disclosure_refused").count() == 1


def test_sending_with_a_consent_records_the_disclosure_and_plans_the_follow_up(world):
    consent_for(world)
    referral = draft(world, information=["progress"])
    sent = referral_send(referral=referral, by=world.alice, version=referral.version)
    assert sent.status == "requested" and sent.sent_at is not None
    assert sent.next_follow_up_on == timezone.localdate() + timedelta(days=3)  # "soon"
    disclosure = Disclosure.objects.get()
    assert (disclosure.recipient, disclosure.categories) == ("Hope House", ["progress"])
    assert sent.disclosure == disclosure
    assert TimelineEntry.objects.filter(
        client=world.client, summary="Referral sent to Recovery housing"
    ).exists()


def test_a_referral_with_no_information_sends_without_a_disclosure(world):
    referral = draft(world)
    referral_send(referral=referral, by=world.alice, version=referral.version)
    assert not Disclosure.objects.exists()


def test_the_move_to_sent_goes_only_through_sending(world):
    referral = draft(world, information=["progress"])
    with pytest.raises(ValidationError):
        referral_move(
            referral=referral, by=world.alice, to_status="requested", version=referral.version
        )


def sent(world):
    referral = draft(world)
    return referral_send(referral=referral, by=world.alice, version=referral.version)


def test_the_provider_answers_and_the_loop_closes_with_an_outcome(world):
    referral = sent(world)
    accepted = referral_move(
        referral=referral,
        by=world.alice,
        to_status="accepted",
        version=referral.version,
        for_provider=True,
        detail="Intake interview Monday",
    )
    assert accepted.answered_at is not None
    with pytest.raises(ValidationError) as missing:
        referral_move(
            referral=accepted, by=world.alice, to_status="completed", version=accepted.version
        )
    assert "outcome" in missing.value.message_dict
    done = referral_move(
        referral=accepted,
        by=world.alice,
        to_status="completed",
        version=accepted.version,
        outcome="housed",
    )
    assert (done.status, done.outcome, done.next_follow_up_on) == ("completed", "housed", None)
    assert done.closed_at is not None
    moves = list(ReferralEvent.objects.values_list("from_status", "to_status", "for_provider"))
    assert moves == [
        ("draft", "requested", False),
        ("requested", "accepted", True),
        ("accepted", "completed", False),
    ]
    assert TimelineEntry.objects.filter(
        summary="Referral to Recovery housing: completed (moved in)"
    ).exists()


def test_declining_needs_a_reason_and_other_needs_words(world):
    referral = sent(world)
    with pytest.raises(ValidationError) as no_reason:
        referral_move(
            referral=referral, by=world.alice, to_status="rejected", version=referral.version
        )
    assert "reason" in no_reason.value.message_dict
    with pytest.raises(ValidationError) as no_words:
        referral_move(
            referral=referral,
            by=world.alice,
            to_status="rejected",
            version=referral.version,
            reason="other",
        )
    assert "detail" in no_words.value.message_dict
    declined = referral_move(
        referral=referral,
        by=world.alice,
        to_status="rejected",
        version=referral.version,
        reason="no-capacity",
        for_provider=True,
    )
    assert declined.status_reason == "no-capacity"


def test_a_no_show_is_why_it_did_not_happen_and_an_ending_never_changes(world):
    referral = sent(world)
    accepted = referral_move(
        referral=referral, by=world.alice, to_status="accepted", version=referral.version
    )
    failed = referral_move(
        referral=accepted,
        by=world.alice,
        to_status="failed",
        version=accepted.version,
        reason="no-show",
    )
    with pytest.raises(ValidationError):
        referral_move(
            referral=failed, by=world.alice, to_status="in-progress", version=failed.version
        )


def test_the_provider_neither_sends_nor_cancels(world):
    referral = sent(world)
    with pytest.raises(ValidationError):
        referral_move(
            referral=referral,
            by=world.alice,
            to_status="cancelled",
            version=referral.version,
            reason="need-met",
            for_provider=True,
        )


def test_two_people_moving_it_at_once_are_not_merged(world):
    referral = sent(world)
    opened = referral.version
    referral_move(referral=referral, by=world.alice, to_status="received", version=opened)
    with pytest.raises(VersionConflict):
        referral_move(
            referral=referral,
            by=world.sue,
            to_status="cancelled",
            version=opened,
            reason="need-met",
        )
    assert Referral.objects.get().status == "received"


def test_the_follow_up_log_moves_the_next_follow_up(world):
    referral = sent(world)
    later = timezone.localdate() + timedelta(days=10)
    communication_record(
        referral=referral,
        by=world.alice,
        channel="call",
        with_whom="Intake desk",
        summary="They have the referral; a bed opens next week.",
        happened_at=timezone.now(),
        next_follow_up_on=later,
    )
    referral.refresh_from_db()
    assert referral.next_follow_up_on == later
    with pytest.raises(ValidationError) as future:
        communication_record(
            referral=referral,
            by=world.alice,
            channel="fax",
            with_whom="Intake desk",
            summary="Sent the forms",
            happened_at=timezone.now() + timedelta(days=1),
        )
    assert "happened_at" in future.value.message_dict

"""Fuzzing provider access as in test_bad_input_fuzz: the staff form that makes a provider link,
and the provider's answers through the link (accept, decline, first appointment, how it ended).
Junk in any field never fails the page, an error answer saves nothing, the trail still verifies."""

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from casebridge.clients.models import TimelineEntry
from casebridge.referrals import partner
from casebridge.referrals.models import Referral, ReferralEvent, ReferralLink
from casebridge.referrals.services import referral_move
from tests.referrals.test_packet import sent_referral
from tests.web.test_bad_input_fuzz import FormCase, post_junk, post_valid


def _rows(*models: Any) -> Any:
    return tuple(tuple(model.objects.order_by("pk").values_list()) for model in models)


def _saved(pz: Any) -> Any:
    # Showing the page again counts as a use of the link (last_used_at): not a save.
    links = tuple(
        ReferralLink.objects.order_by("pk").values_list(
            "pk", "token_hash", "expires_at", "revoked_at"
        )
    )
    return (*_rows(Referral, ReferralEvent), links, TimelineEntry.objects.count())


def _answer(name: str, link: str) -> Any:
    return lambda pz: reverse(f"partner_{name}", kwargs={"token": getattr(pz, link)})


def _version(pz: Any, referral: str) -> int:
    return Referral.objects.get(pk=getattr(pz, referral).pk).version


CASES: dict[str, FormCase] = {
    "provider link": FormCase(
        user="alice",
        url=lambda pz: reverse("referral_link", args=[pz.world.client.pk, pz.sent.pk]),
        valid=lambda pz: {"days": "30", "email": "intake@example.org"},
        saved=_saved,
        # The address is shown on the page that answers the post (once), not after a redirect.
        succeeded=lambda response: (
            response.status_code == 200 and b"Copy it now" in response.content
        ),
    ),
    "provider accepts": FormCase(
        user="alice",
        url=_answer("accept", "sent_token"),
        valid=lambda pz: {"accept-version": _version(pz, "sent")},
        saved=_saved,
    ),
    "provider declines": FormCase(
        user="alice",
        url=_answer("decline", "sent_token"),
        valid=lambda pz: {
            "decline-version": _version(pz, "sent"),
            "decline-reason": "no-capacity",
            "decline-detail": "Wait list closed",
        },
        saved=_saved,
    ),
    "provider books the first appointment": FormCase(
        user="alice",
        url=_answer("schedule", "accepted_token"),
        valid=lambda pz: {
            "schedule-version": _version(pz, "accepted"),
            "schedule-day": (timezone.localdate() + timedelta(days=2)).isoformat(),
            "schedule-time": "10:30",
            "schedule-place": "12 Main St, intake desk",
        },
        saved=_saved,
    ),
    "provider reports the outcome": FormCase(
        user="alice",
        url=_answer("outcome", "accepted_token"),
        valid=lambda pz: {
            "outcome-version": _version(pz, "accepted"),
            "outcome-result": "completed",
            "outcome-outcome": "housed",
            "outcome-outcome_note": "Moved in",
            "outcome-reason": "",
            "outcome-detail": "",
        },
        saved=_saved,
    ),
    "provider reports a no-show": FormCase(
        user="alice",
        url=_answer("outcome", "accepted_token"),
        valid=lambda pz: {
            "outcome-version": _version(pz, "accepted"),
            "outcome-result": "failed",
            "outcome-reason": "no-show",
            "outcome-detail": "Did not come on Monday",
        },
        saved=_saved,
    ),
}


@pytest.fixture
def pz(world):
    """A referral just sent and one the provider accepted, each with a working link."""
    sent = sent_referral(world, ["plan"])
    accepted = sent_referral(world, ["plan"], provider="Oak Clinic")
    accepted = referral_move(
        referral=accepted,
        by=world.alice,
        to_status="accepted",
        version=accepted.version,
        for_provider=True,
    )
    _, sent_token, _ = partner.link_create(referral=sent, by=world.alice, address_of=str)
    _, accepted_token, _ = partner.link_create(referral=accepted, by=world.alice, address_of=str)
    return SimpleNamespace(
        world=world,
        sent=sent,
        accepted=accepted,
        sent_token=sent_token,
        accepted_token=accepted_token,
    )


@pytest.mark.parametrize("name", list(CASES))
def test_junk_in_any_field_is_never_a_server_error_and_saves_nothing(client, pz, name):
    post_junk(client, name, CASES[name], pz)


def test_the_valid_posts_do_succeed(client, pz):
    post_valid(client, CASES, pz)

"""Fuzzing the referral forms and the coach-sharing form as in test_bad_input_fuzz: junk in
any field never fails the page, an error answer saves nothing, the audit trail still verifies."""

from types import SimpleNamespace
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from casebridge.monitoring.models.recovery import CoachSharing
from casebridge.referrals.models import Referral, ReferralCommunication, ReferralEvent
from casebridge.referrals.services import referral_draft, referral_send
from tests.web.test_bad_input_fuzz import FormCase, post_junk, post_valid


def _rows(*models: Any) -> Any:
    return tuple(tuple(model.objects.order_by("pk").values_list()) for model in models)


def _referrals(rz: Any) -> Any:
    return _rows(Referral, ReferralEvent, ReferralCommunication)


def _url(name: str, referral: str = "") -> Any:
    def make(rz: Any) -> str:
        kwargs = {"client_id": rz.world.client.pk}
        if referral:
            kwargs["referral_id"] = getattr(rz, referral).pk
        return reverse(name, kwargs=kwargs)

    return make


CASES: dict[str, FormCase] = {
    "coach sharing": FormCase(
        user="alice",
        url=_url("coach_sharing"),
        valid=lambda rz: {
            "screens": "on",
            "medications": "on",
            "agreed_on": timezone.localdate().isoformat(),
        },
        saved=lambda rz: _rows(CoachSharing),
    ),
    "referral new": FormCase(
        user="alice",
        url=_url("referral_new"),
        valid=lambda rz: {
            "provider_name": "Hope House",
            "service_name": "Recovery housing",
            "provider_contact": "555-0100",
            "urgency": "soon",
            "reason": "Needs a sober place to live.",
        },
        saved=_referrals,
    ),
    "referral send": FormCase(
        user="alice",
        url=_url("referral_send", "draft"),
        valid=lambda rz: {"version": rz.draft.version, "method": "faxed"},
        saved=_referrals,
    ),
    "referral move": FormCase(
        user="alice",
        url=_url("referral_move", "sent"),
        valid=lambda rz: {
            "version": rz.sent.version,
            "to_status": "rejected",
            "for_provider": "on",
            "reason": "no-capacity",
            "detail": "Wait list closed",
            "next_follow_up_on": "",
        },
        saved=_referrals,
    ),
    "referral contact": FormCase(
        user="alice",
        url=_url("referral_contact", "sent"),
        valid=lambda rz: {
            "channel": "call",
            "with_whom": "Intake desk",
            "summary": "They have it",
            "happened_on": timezone.localdate().isoformat(),
            "next_follow_up_on": "",
        },
        saved=_referrals,
    ),
}


@pytest.fixture
def rz(world):
    def draft() -> Referral:
        return referral_draft(
            client=world.client, by=world.alice, provider_name="Hope House", reason="Housing"
        )

    unsent = draft()
    sent = draft()
    sent = referral_send(referral=sent, by=world.alice, version=sent.version)
    return SimpleNamespace(world=world, draft=unsent, sent=sent)


@pytest.mark.parametrize("name", list(CASES))
def test_junk_in_any_referral_field_is_never_a_server_error_and_saves_nothing(client, rz, name):
    post_junk(client, name, CASES[name], rz)


def test_the_valid_referral_posts_do_succeed(client, rz):
    post_valid(client, CASES, rz)

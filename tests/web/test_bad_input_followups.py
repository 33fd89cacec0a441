"""Fuzzing the follow-up forms as in test_bad_input_fuzz: junk in any field of logging an
attempt, correcting its note or recording the outcome never fails the page, an error answer
saves nothing, the audit trail still verifies."""

from types import SimpleNamespace
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from casebridge.followups import services
from casebridge.followups.models import FollowUp, FollowUpAttempt, FollowUpOutcome
from tests.followups.helpers import discharged
from tests.followups.test_services import ANSWERS
from tests.web.test_bad_input_fuzz import FormCase, post_junk, post_valid


def _rows(*models: Any) -> Any:
    return tuple(tuple(model.objects.order_by("pk").values_list()) for model in models)


def _saved(fu: Any) -> Any:
    return _rows(FollowUp, FollowUpAttempt, FollowUpOutcome)


def _args(fu: Any, follow_up: FollowUp) -> list[int]:
    return [fu.world.client.pk, follow_up.pk]


CASES: dict[str, FormCase] = {
    "attempt": FormCase(
        user="alice",
        url=lambda fu: reverse("followup_attempt", args=_args(fu, fu.open)),
        valid=lambda fu: {
            "result": "no_answer",
            "attempted_on": timezone.localdate().isoformat(),
            "note": "Left a voicemail",
        },
        saved=_saved,
    ),
    "attempt note": FormCase(
        user="alice",
        url=lambda fu: reverse("followup_attempt_edit", args=[*_args(fu, fu.open), fu.attempt.pk]),
        valid=lambda fu: {
            "note": "Number still works",
            "version": FollowUpAttempt.objects.get(pk=fu.attempt.pk).version,
        },
        saved=_saved,
    ),
    "outcome": FormCase(
        user="alice",
        url=lambda fu: reverse("followup_outcome", args=_args(fu, fu.reached)),
        valid=lambda fu: ANSWERS | {"version": ""},
        saved=_saved,
    ),
}


@pytest.fixture
def fu(world):
    episode = discharged(world.client, days_ago_left=40)
    open_one = FollowUp.objects.get(episode=episode, day_mark=30)
    reached = FollowUp.objects.get(episode=episode, day_mark=90)
    attempt = services.attempt_record(
        follow_up=open_one, by=world.alice, result="no_answer", attempted_at=timezone.now()
    )
    services.attempt_record(
        follow_up=reached, by=world.alice, result="reached", attempted_at=timezone.now()
    )
    return SimpleNamespace(world=world, open=open_one, reached=reached, attempt=attempt)


@pytest.mark.parametrize("name", list(CASES))
def test_junk_in_any_follow_up_field_is_never_a_server_error_and_saves_nothing(client, fu, name):
    post_junk(client, name, CASES[name], fu)


def test_the_valid_follow_up_posts_do_succeed(client, fu):
    post_valid(client, CASES, fu)

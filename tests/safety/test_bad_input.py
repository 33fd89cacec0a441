"""Fuzzing the safety forms as in tests/web/test_bad_input_fuzz: junk in any field never fails
the page, an error answer saves nothing, the audit trail still verifies."""

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from casebridge.safety.models import (
    AfterHoursContact,
    OnCallShift,
    SafetyPlan,
    SafetyPlanSignature,
)
from tests.safety.helpers import FILLED, filled_draft, shift_now
from tests.web.test_bad_input_fuzz import FormCase, post_junk, post_valid


def _rows(*models: Any) -> Any:
    return tuple(tuple(model.objects.order_by("pk").values_list()) for model in models)


def _plans(fz: Any) -> Any:
    return _rows(SafetyPlan, SafetyPlanSignature)


def _local(moment: Any) -> tuple[str, str]:
    local = timezone.localtime(moment)
    return local.date().isoformat(), local.strftime("%H:%M")


def _shift(fz: Any) -> dict[str, Any]:
    start_date, start_time = _local(timezone.now() + timedelta(days=2))
    end_date, end_time = _local(timezone.now() + timedelta(days=2, hours=8))
    return {
        "user": fz.world.alice.pk,
        "start_date": start_date,
        "start_time": start_time,
        "end_date": end_date,
        "end_time": end_time,
        "handover_note": "Keys in the office",
    }


def _call(fz: Any) -> dict[str, Any]:
    day, clock = _local(timezone.now() - timedelta(minutes=5))
    return {
        "client": fz.world.client.pk,
        "program": fz.world.program.pk,
        "date": day,
        "time": clock,
        "caller": "the client",
        "what_happened": "Cravings",
        "what_was_done": "Went through the safety plan",
        "follow_up_needed": "on",
    }


CASES: dict[str, FormCase] = {
    "safety plan edit": FormCase(
        user="alice",
        url=lambda fz: reverse("safety_plan_edit", args=[fz.world.client.pk, fz.draft.pk]),
        valid=lambda fz: FILLED | {"version": fz.draft.version, "warning_signs": "Pacing"},
        saved=_plans,
    ),
    "safety plan client signature": FormCase(
        user="alice",
        url=lambda fz: reverse("safety_plan_sign", args=[fz.world.client.pk, fz.draft.pk]),
        valid=lambda fz: {
            "role": "client",
            "version": fz.draft.version,
            "method": "verbal",
            "name": "",
            "witness_name": "Sue",
            "image": "",
        },
        saved=_plans,
    ),
    "on-call shift": FormCase(
        user="sue",
        url=lambda fz: reverse("on_call_roster", args=[fz.world.program.pk]),
        valid=_shift,
        saved=lambda fz: _rows(OnCallShift),
    ),
    "hand-over note": FormCase(
        user="bob",
        url=lambda fz: reverse("on_call_handover", args=[fz.shift.pk]),
        valid=lambda fz: {"handover_note": "Quiet night"},
        saved=lambda fz: _rows(OnCallShift),
    ),
    "after-hours call": FormCase(
        user="bob",
        url=lambda fz: reverse("after_hours_new"),
        valid=_call,
        saved=lambda fz: _rows(AfterHoursContact),
    ),
}


@pytest.fixture
def fz(world):
    return SimpleNamespace(world=world, draft=filled_draft(world), shift=shift_now(world))


@pytest.mark.parametrize("name", list(CASES))
def test_junk_in_any_safety_field_is_never_a_server_error_and_saves_nothing(client, fz, name):
    post_junk(client, name, CASES[name], fz)


def test_the_valid_safety_posts_do_succeed(client, fz):
    post_valid(client, CASES, fz)

"""Fuzzing the discharge forms as in test_bad_input_fuzz: junk in any field of the aftercare
plan, a summary's draft, its signing or its sending never fails the page, an error answer saves
nothing, the audit trail still verifies."""

from types import SimpleNamespace
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from casebridge.consents.models import Disclosure
from casebridge.discharge.models import AftercarePlan, DischargeSummary, SummaryDisclosure
from tests.discharge.helpers import CARE, aftercare, draft, final
from tests.factories import ConsentFactory
from tests.web.test_bad_input_fuzz import FormCase, post_junk, post_valid


def _rows(*models: Any) -> Any:
    return tuple(tuple(model.objects.order_by("pk").values_list()) for model in models)


def _version(model: Any, pk: int) -> int:
    return model.objects.get(pk=pk).version


CASES: dict[str, FormCase] = {
    "aftercare plan": FormCase(
        user="alice",
        url=lambda dz: reverse("aftercare_edit", args=[dz.world.client.pk]),
        valid=lambda dz: {
            "version": _version(AftercarePlan, dz.plan.pk),
            "starts_on": timezone.localdate().isoformat(),
            "weekly_weeks": "3",
            "fortnightly_weeks": "6",
            "monthly_months": "4",
            "relapse_prevention": "Call my sponsor\nGo to a meeting",
            **CARE,
        },
        saved=lambda dz: _rows(AftercarePlan),
    ),
    "discharge summary draft": FormCase(
        user="alice",
        url=lambda dz: reverse("discharge_summary_edit", args=[dz.world.client.pk, dz.draft.pk]),
        valid=lambda dz: {
            "version": _version(DischargeSummary, dz.draft.pk),
            "discharged_on": timezone.localdate().isoformat(),
            "recommendations": "Keep seeing Dr. Lee\nNA twice a week",
        },
        saved=lambda dz: _rows(DischargeSummary),
    ),
    "discharge summary signing": FormCase(
        user="sue",
        url=lambda dz: reverse(
            "discharge_summary_finalise", args=[dz.world.client.pk, dz.draft.pk]
        ),
        valid=lambda dz: {"version": _version(DischargeSummary, dz.draft.pk), "confirm": "on"},
        saved=lambda dz: _rows(DischargeSummary),
    ),
    "discharge summary sending": FormCase(
        user="alice",
        url=lambda dz: reverse("discharge_summary_send", args=[dz.world.client.pk, dz.final.pk]),
        valid=lambda dz: {
            "recipient": "Riverside Clinic",
            "is_health_care": "",
            "purpose": "treatment",
            "method": "faxed",
            "description": "For the first visit",
        },
        saved=lambda dz: _rows(Disclosure, SummaryDisclosure),
    ),
}


@pytest.fixture
def dz(world):
    ConsentFactory(
        client=world.client,
        categories=["discharge"],
        recipient_kind="named",
        recipient_name="Riverside Clinic",
        purpose="treatment",
        created_by=world.alice,
    )
    plan = aftercare(world)
    summary = final(world)
    return SimpleNamespace(world=world, plan=plan, final=summary, draft=draft(world))


@pytest.mark.parametrize("name", list(CASES))
def test_junk_in_any_discharge_field_is_never_a_server_error_and_saves_nothing(client, dz, name):
    post_junk(client, name, CASES[name], dz)


def test_the_valid_discharge_posts_do_succeed(client, dz):
    post_valid(client, CASES, dz)

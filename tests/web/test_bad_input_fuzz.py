"""Fuzzing the main forms: random text, numbers and dates in every field, posted by the person
allowed to use the form, never give a server error, and an answer that is an error (the form
again, a 400, or an error message) never leaves anything saved.

Each example starts from a valid post and replaces some fields with junk, so the junk reaches
the services and the database and not only the first field check. Every example runs in a
savepoint that is rolled back, so the examples do not change each other's starting point.
The monitoring forms are in test_bad_input_monitoring, run by `post_junk` and `post_valid`."""

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.contrib import messages
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casebridge.accounts.models import ApiToken
from casebridge.assessments import services as assessment_services
from casebridge.assessments.models import InstrumentResponse
from casebridge.audit.services import audit_verify
from casebridge.clients.models import Client, Collateral
from casebridge.consents.models import Consent, Disclosure
from casebridge.plans import services as plan_services
from casebridge.plans.models import PlanReview, PlanSignature, PlanTask
from tests.factories import CollateralFactory, ConsentFactory
from tests.plans.helpers import SIGNATURE, in_days, ready_plan, sign_all

# A few per form keeps the suite quick; FUZZ_EXAMPLES=500 for a longer hunt.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "20"))

JUNK = st.one_of(
    st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=40),
    st.integers(min_value=-(10**25), max_value=10**25).map(str),
    st.dates(min_value=date(1, 1, 1)).map(date.isoformat),
    st.sampled_from(
        [
            "",
            " ",
            "²",
            "\u0663",
            "\uff11\uff12",
            "\x00",
            "a\x07b",
            "line\r\nbreak",
            "NaN",
            "1e400",
            "-1",
            "0",
            "9999-12-31",
            "0001-01-01",
            "2100-12-31",
            "1900-01-01",
            "x" * 5000,
            "99999999999999999999",
            "data:image/png;base64,AAAA",
            "<script>alert(1)</script>",
        ]
    ),
)


@dataclass
class FormCase:
    """One form: who posts it, where, a post that succeeds, and what it saves."""

    user: str
    url: Callable[[Any], str]
    valid: Callable[[Any], dict[str, Any]]
    saved: Callable[[Any], Any]
    succeeded: Callable[[Any], bool] | None = None


def _error_answer(response: Any) -> bool:
    if response.status_code != 302:
        return True  # the form again (200), or a plain 400
    queued = getattr(response.wsgi_request, "_messages", [])
    return any(message.level >= messages.ERROR for message in queued)


def _details(fz: Any) -> dict[str, Any]:
    return {
        "legal_first_name": "Avery",
        "legal_last_name": "Fuzz",
        "preferred_name": "Ave",
        "pronouns": "they/them",
        "date_of_birth": "1988-02-03",
        "phone": "555-222-3333",
        "email": "avery@example.org",
        "address": "1 Elm St",
        "preferred_language": "English",
        "emergency_contact_name": "Sam",
        "emergency_contact_phone": "5554443333",
        "referral_source": "self",
        "referral_source_detail": "walk-in",
        "primary_substances": ["alcohol"],
        "case_management_model": "clinical",
        "goals_in_own_words": "Stay sober",
        "program": fz.world.program.pk,
    }


def _client_url(name: str, *extra: Any) -> Callable[[Any], str]:
    return lambda fz: reverse(name, args=[fz.world.client.pk, *(e(fz) for e in extra)])


CASES: dict[str, FormCase] = {
    "client register": FormCase(
        user="ivy",
        url=lambda fz: reverse("client_register"),
        valid=_details,
        saved=lambda fz: Client.objects.count(),
    ),
    "client edit": FormCase(
        user="alice",
        url=_client_url("client_edit"),
        valid=lambda fz: (
            _details(fz) | {"version": Client.objects.get(pk=fz.world.client.pk).version}
        ),
        saved=lambda fz: Client.objects.get(pk=fz.world.client.pk).version,
    ),
    "collateral": FormCase(
        user="alice",
        url=_client_url("collateral_add"),
        valid=lambda fz: {
            "name": "Dana",
            "relationship": "family",
            "organisation_name": "",
            "phone": "5559876543",
            "email": "dana@example.org",
            "notes": "Sister",
        },
        saved=lambda fz: Collateral.objects.count(),
    ),
    "flag": FormCase(
        user="alice",
        url=_client_url("flag_raise"),
        valid=lambda fz: {"kind": "safety", "note": "Said so on the phone"},
        saved=lambda fz: fz.world.client.flags.count(),
    ),
    "consent": FormCase(
        user="alice",
        url=_client_url("consent_new"),
        valid=lambda fz: {
            "patient_name": "Jamie Rivera",
            "disclosing_party": "Riverside",
            "categories": ["attendance"],
            "information_detail": "since March",
            "recipient_kind": "collateral",
            "recipient_collateral": fz.mother.pk,
            "recipient_name": "",
            "purpose": "family",
            "purpose_detail": "support",
            "right_to_revoke_explained": "on",
            "expiry_kind": "date",
            "expires_on": in_days(90).isoformat(),
            "expiry_event": "",
            "signature_method": "drawn",
            "signature_image": SIGNATURE,
            "signed_by": "Jamie Rivera",
            "witness_name": "",
            "signed_on": timezone.localdate().isoformat(),
            "language": "en",
            "activate": "1",
        },
        saved=lambda fz: Consent.objects.count(),
    ),
    "disclosure": FormCase(
        user="alice",
        url=_client_url("disclosure_new"),
        valid=lambda fz: {
            "recipient_collateral": fz.mother.pk,
            "recipient_name": "",
            "categories": ["attendance"],
            "purpose": "family",
            "description": "Attendance letter",
            "body": "Attended 8 of 8.",
            "method": "printed",
        },
        saved=lambda fz: Disclosure.objects.count(),
    ),
    "emergency disclosure": FormCase(
        user="alice",
        url=_client_url("disclosure_emergency"),
        valid=lambda fz: {
            "personnel": "Dr. Ortiz",
            "facility": "County ER",
            "nature": "Unresponsive after an overdose",
            "description": "Substances used this week",
            "method": "phone",
        },
        saved=lambda fz: Disclosure.objects.count(),
    ),
    "measure": FormCase(
        user="alice",
        url=lambda fz: reverse("measure_new", args=[fz.world.client.pk, "phq9"]),
        # Item 9 above 0 is a safety concern, told as an error message: keep it at 0.
        valid=lambda fz: {f"item_{n}": "1" for n in range(1, 9)} | {"item_9": "0"},
        saved=lambda fz: InstrumentResponse.objects.count(),
    ),
    "assessment": FormCase(
        user="alice",
        url=_client_url("assessment_edit", lambda fz: fz.assessment.pk),
        valid=lambda fz: {
            "version": fz.assessment.version,
            "s_strengths_strengths": "Good with people",
            "need_housing_severity": "2",
            "need_housing_reason": "Couch surfing",
            "asam_1_rating": "1",
            "asam_1_rationale": "seen",
            "chosen_level": "",
            "level_override_reason": "",
            "sub-TOTAL_FORMS": "1",
            "sub-INITIAL_FORMS": "0",
            "sub-0-substance": "alcohol",
            "sub-0-age_first_use": "16",
            "sub-0-pattern": "weekends",
            "sub-0-route": "",
            "sub-0-last_use": "2024-01-01",
            "sub-0-overdoses": "0",
        },
        saved=lambda fz: type(fz.assessment).objects.get(pk=fz.assessment.pk).version,
    ),
    "plan need": FormCase(
        user="alice",
        url=_client_url("plan_element_new", lambda fz: fz.draft.pk, lambda fz: "need"),
        valid=lambda fz: {
            "version": fz.draft_version(),
            "need_domain": "employment",
            "statement": "Work: wants a job",
        },
        saved=lambda fz: fz.draft_version(),
    ),
    "plan goal": FormCase(
        user="alice",
        url=_client_url("plan_element_new", lambda fz: fz.draft.pk, lambda fz: "goal"),
        valid=lambda fz: {
            "version": fz.draft_version(),
            "problem_id": fz.draft.problems.first().pk,
            "own_words": "A place of my own",
            "measurable": "A lease",
            "term": "long",
            "target_date": in_days(60).isoformat(),
            "strength": "Determined",
        },
        saved=lambda fz: fz.draft_version(),
    ),
    "plan step": FormCase(
        user="alice",
        url=lambda fz: (
            reverse("plan_element_new", args=[fz.world.client.pk, fz.draft.pk, "step"])
            + f"?goal={fz.draft.goals.first().pk}"
        ),
        valid=lambda fz: {
            "version": fz.draft_version(),
            "text": "Call the housing office",
            "target_date": in_days(10).isoformat(),
        },
        saved=lambda fz: fz.draft_version(),
    ),
    "plan action": FormCase(
        user="alice",
        url=lambda fz: (
            reverse("plan_element_new", args=[fz.world.client.pk, fz.draft.pk, "action"])
            + f"?goal={fz.draft.goals.first().pk}"
        ),
        valid=lambda fz: {
            "version": fz.draft_version(),
            "action": "Weekly check-in",
            "responsible": "case_manager",
            "provider_name": "",
            "frequency": "weekly",
            "owner": fz.world.alice.pk,
            "first_due_on": in_days(3).isoformat(),
        },
        saved=lambda fz: fz.draft_version(),
    ),
    "plan sign": FormCase(
        user="alice",
        url=_client_url("plan_sign", lambda fz: fz.draft.pk),
        valid=lambda fz: {
            "role": "client",
            "version": fz.draft_version(),
            "method": "on_screen",
            "name": "Jamie Rivera",
            "image": SIGNATURE,
            "witness_name": "",
        },
        saved=lambda fz: PlanSignature.objects.count(),
    ),
    "plan review": FormCase(
        user="alice",
        url=_client_url("plan_review", lambda fz: fz.active.pk),
        valid=lambda fz: {
            "reason": "scheduled",
            "summary": "Going well",
            "outcome": "continue",
            **{f"goal_{goal.pk}_rating": "progressing" for goal in fz.active.goals.all()},
            **{f"goal_{goal.pk}_note": "steady" for goal in fz.active.goals.all()},
        },
        saved=lambda fz: PlanReview.objects.count(),
    ),
    "task close": FormCase(
        user="alice",
        url=_client_url("task_close", lambda fz: fz.task.pk),
        valid=lambda fz: {"done": "0", "note": "Client did not answer", "back": "my_tasks"},
        saved=lambda fz: PlanTask.objects.exclude(status="open").count(),
    ),
    "api token": FormCase(
        user="alice",
        url=lambda fz: reverse("api_tokens"),
        valid=lambda fz: {"name": "Reports", "days": "30", "internal_use": "on"},
        saved=lambda fz: ApiToken.objects.count(),
        succeeded=lambda response: (
            response.status_code == 200
            and bool(response.context and response.context.get("secret"))
        ),
    ),
}


@pytest.fixture
def fz(world):
    """The client with a contact, a consent to share with them, a draft assessment, a plan in
    effect with an open task, and a new draft version of the plan."""
    mother = CollateralFactory(client=world.client, name="Rosa Rivera", relationship="family")
    ConsentFactory(
        client=world.client, recipient_collateral=mother, categories=["attendance", "progress"]
    )
    active = sign_all(ready_plan(world), world)
    draft = plan_services.plan_revise(plan=active, by=world.alice, reason="Fuzzing")
    assessment = assessment_services.assessment_start(client=world.client, by=world.alice)
    task = PlanTask.objects.filter(intervention__plan=active, status="open").first()
    assert task is not None and task.due_on >= timezone.localdate() - timedelta(days=1)
    return SimpleNamespace(
        world=world,
        mother=mother,
        active=active,
        draft=draft,
        assessment=assessment,
        task=task,
        draft_version=lambda: type(draft).objects.get(pk=draft.pk).version,
    )


def post_junk(http: Any, name: str, case: FormCase, context: Any) -> None:
    """Post `case`'s valid post with any of its fields replaced by junk, EXAMPLES times: never a
    server error, an error answer saves nothing, and the audit trail still verifies. Shared with
    the other fuzz modules (test_bad_input_monitoring)."""
    http.force_login(getattr(context.world, case.user))
    url = case.url(context)
    valid = case.valid(context)
    fields = st.fixed_dictionaries(
        {
            field: st.one_of(st.just(value), JUNK, JUNK.map(lambda v: [v]))
            for field, value in valid.items()
        }
    )

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(data=fields)
    def one_post(data: dict[str, Any]) -> None:
        with transaction.atomic():
            before = case.saved(context)
            response = http.post(url, data)
            assert response.status_code < 500
            succeeded = case.succeeded(response) if case.succeeded else not _error_answer(response)
            if not succeeded:
                assert case.saved(context) == before, f"{name}: an error answer saved something"
            # Whatever was posted, what reached the trail still verifies on this database.
            assert audit_verify() == [], f"{name}: the audit trail no longer verifies"
            transaction.set_rollback(True)

    one_post()


def post_valid(http: Any, cases: dict[str, FormCase], context: Any) -> None:
    """Each case's valid post succeeds and saves something, so junk is what makes an answer an
    error in `post_junk`."""
    for name, case in cases.items():
        with transaction.atomic():
            http.force_login(getattr(context.world, case.user))
            before = case.saved(context)
            response = http.post(case.url(context), case.valid(context))
            succeeded = case.succeeded(response) if case.succeeded else not _error_answer(response)
            assert succeeded, name
            assert case.saved(context) != before, name
            transaction.set_rollback(True)


@pytest.mark.parametrize("name", list(CASES))
def test_junk_in_any_field_is_never_a_server_error_and_saves_nothing(client, fz, name):
    post_junk(client, name, CASES[name], fz)


def test_the_valid_posts_do_succeed(client, fz):
    """The fuzz starts from posts that work, so junk is what makes an answer an error."""
    post_valid(client, CASES, fz)

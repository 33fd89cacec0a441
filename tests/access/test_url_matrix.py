"""Every URL the app serves, for every role, against an assigned client, an unassigned one and
another organisation's: the expected answer for each. A URL missing from the table fails."""

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as Browser
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from casebridge.advocacy.services import application_start
from casebridge.alerts.services import concern_raise
from casebridge.assessments.services import assessment_start, instrument_record
from casebridge.clients.models import ClientFlag, Collateral
from casebridge.consents.models import Disclosure
from casebridge.directory.models import DirectoryImport
from casebridge.monitoring import services as monitoring_services
from casebridge.monitoring.services.appointments import appointment_schedule
from casebridge.monitoring.services.medications import medication_record
from casebridge.monitoring.services.screens import screen_record
from casebridge.plans.models import PlanTask
from casebridge.plans.services import plan_revise
from casebridge.referrals.services import referral_draft
from casebridge.safety.services import safety_plan_start, shift_add
from tests.access import (
    matrix_coaching,
    matrix_court,
    matrix_discharge,
    matrix_family,
    matrix_followups,
    matrix_recovery_capital,
    matrix_transitions,
)
from tests.access.matrix_people import PEOPLE, row
from tests.factories import ConsentFactory
from tests.isolation import undone
from tests.plans.helpers import ready_plan, sign_all

# name: (method, kwargs-maker, expected status per person)
MATRIX: dict[str, tuple[str, Callable[[object], dict[str, int]], dict[str, int]]] = {
    "home": ("get", lambda w: {}, row(302)),
    "healthz": ("get", lambda w: {}, row(200, anon=200)),
    "favicon": ("get", lambda w: {}, row(302, anon=302)),
    "login": ("get", lambda w: {}, row(302, anon=200)),
    "logout": ("post", lambda w: {}, row(302, anon=302)),
    "logged_out": ("get", lambda w: {}, row(200, anon=200)),
    "two_factor_verify": ("get", lambda w: {}, row(200)),
    "two_factor_setup": ("get", lambda w: {}, row(200)),
    "caseload": ("get", lambda w: {}, row(200, ada=404, aud=404, jude=404)),
    "team": ("get", lambda w: {}, row(404, sue=200, otto=200)),
    "referral_measures": ("get", lambda w: {}, row(404, sue=200, otto=200)),
    "emergency_access": (
        "get",
        lambda w: {},
        row(200, cody=404, ivy=404, ada=404, aud=404, jude=404),
    ),
    "client_register": ("get", lambda w: {}, row(200, cody=404, ada=404, aud=404, jude=404)),
    "audit_trail": ("get", lambda w: {}, row(404, aud=200)),
    "client_overview": (
        "get",
        lambda w: {"client_id": w.client.pk},
        row(404, alice=200, sue=200, cody=200),
    ),
    "client_timeline": (
        "get",
        lambda w: {"client_id": w.client.pk},
        row(404, alice=200, sue=200, cody=200),
    ),
    "collateral_list": (
        "get",
        lambda w: {"client_id": w.client.pk},
        row(404, alice=200, sue=200, cody=200),
    ),
    "client_edit": ("get", lambda w: {"client_id": w.client.pk}, row(404, alice=200, sue=200)),
    "client_move_stage": (
        "post",
        lambda w: {"client_id": w.client.pk},
        row(404, alice=400, sue=400),
    ),
    "client_assign": ("get", lambda w: {"client_id": w.client.pk}, row(404, sue=200)),
    "collateral_add": ("get", lambda w: {"client_id": w.client.pk}, row(404, alice=200, sue=200)),
    "collateral_edit": (
        "get",
        lambda w: {"client_id": w.client.pk, "collateral_id": w.collateral.pk},
        row(404, alice=200, sue=200),
    ),
    "flag_raise": ("post", lambda w: {"client_id": w.client.pk}, row(404, alice=302, sue=302)),
    "flag_clear": (
        "post",
        lambda w: {"client_id": w.client.pk, "flag_id": w.flag.pk},
        row(404, alice=302, sue=302),
    ),
    "consent_list": (
        "get",
        lambda w: {"client_id": w.client.pk},
        row(404, alice=200, sue=200, cody=200),
    ),
    "consent_new": ("get", lambda w: {"client_id": w.client.pk}, row(404, alice=200, sue=200)),
    "consent_detail": (
        "get",
        lambda w: {"client_id": w.client.pk, "consent_id": w.consent.pk},
        row(404, alice=200, sue=200, cody=200),
    ),
    "consent_edit": (
        "get",
        lambda w: {"client_id": w.client.pk, "consent_id": w.draft.pk},
        row(404, alice=200, sue=200),
    ),
    "consent_revoke": (
        "post",
        lambda w: {"client_id": w.client.pk, "consent_id": w.consent.pk},
        row(404, alice=302, sue=302),
    ),
    "consent_event": (
        "post",
        lambda w: {"client_id": w.client.pk, "consent_id": w.consent.pk},
        row(404, alice=302, sue=302),
    ),
    "consent_condition": (
        "post",
        lambda w: {"client_id": w.client.pk, "consent_id": w.consent.pk},
        row(404, alice=302, sue=302),
    ),
    "consent_print": (
        "get",
        lambda w: {"client_id": w.client.pk, "consent_id": w.consent.pk, "lang": "es"},
        row(404, alice=200, sue=200),
    ),
    "revocation_print": (
        "get",
        lambda w: {"client_id": w.client.pk, "consent_id": w.consent.pk, "lang": "en"},
        row(404, alice=200, sue=200),
    ),
    "consent_scan": (
        "get",
        lambda w: {"client_id": w.client.pk, "consent_id": w.consent.pk},
        row(404, alice=200, sue=200),
    ),
    "disclosure_list": (
        "get",
        lambda w: {"client_id": w.client.pk},
        row(404, alice=200, sue=200),
    ),
    "disclosure_new": ("get", lambda w: {"client_id": w.client.pk}, row(404, alice=200, sue=200)),
    "disclosure_emergency": (
        "get",
        lambda w: {"client_id": w.client.pk},
        row(404, alice=200, sue=200),
    ),
    "disclosure_document": (
        "get",
        lambda w: {"client_id": w.client.pk, "disclosure_id": w.disclosure.pk},
        row(404, alice=200, sue=200),
    ),
    "safety_plan_home": (
        "get",
        lambda w: {"client_id": w.client.pk},
        row(404, alice=200, sue=200, cody=200),
    ),
    "safety_plan_start": (
        "post",
        lambda w: {"client_id": w.client.pk},
        row(404, alice=302, sue=302),
    ),
    "safety_plan_detail": (
        "get",
        lambda w: {"client_id": w.client.pk, "plan_id": w.safety_plan.pk},
        row(404, alice=200, sue=200),
    ),
    "safety_plan_edit": (
        "get",
        lambda w: {"client_id": w.client.pk, "plan_id": w.safety_plan.pk},
        row(404, alice=200, sue=200),
    ),
    "safety_plan_sign": (
        "post",
        lambda w: {"client_id": w.client.pk, "plan_id": w.safety_plan.pk},
        row(404, alice=302, sue=302),
    ),
    "safety_plan_print": (
        "get",
        lambda w: {"client_id": w.client.pk, "plan_id": w.safety_plan.pk},
        row(404, alice=200, sue=200),
    ),
    "safety_plan_pdf": (
        "get",
        lambda w: {"client_id": w.client.pk, "plan_id": w.safety_plan.pk},
        row(404, alice=200, sue=200),
    ),
    "my_day": ("get", lambda w: {}, row(200, ada=404, aud=404, jude=404)),
    "my_day_alerts": ("get", lambda w: {}, row(200, ada=404, aud=404, jude=404)),
    "notification_settings": ("get", lambda w: {}, row(200, ada=404, aud=404, jude=404)),
    # A coach's concern: it needs only "view", so the coach who raised it sees it too.
    "alert_detail": (
        "get",
        lambda w: {"alert_id": w.alert.pk},
        row(404, alice=200, sue=200, cody=200),
    ),
    "client_alerts": (
        "get",
        lambda w: {"client_id": w.client.pk},
        row(404, alice=200, sue=200, cody=200),
    ),
    "concern_new": (
        "get",
        lambda w: {"client_id": w.client.pk},
        row(404, alice=200, sue=200, cody=200),
    ),
    "team_day": ("get", lambda w: {}, row(404, sue=200, otto=200)),
    "team_move": ("get", lambda w: {"manager_id": w.alice.pk}, row(404, sue=200)),
    "on_call": ("get", lambda w: {}, row(200, ada=404, aud=404, jude=404)),
    "on_call_find": ("get", lambda w: {}, row(200, cody=404, ivy=404, ada=404, aud=404, jude=404)),
    # bob is on call for the program now (matrix_world); sue and otto supervise a program.
    "after_hours_new": ("get", lambda w: {}, row(404, bob=200, sue=200, otto=200)),
    "on_call_client": ("get", lambda w: {"client_id": w.client.pk}, row(404, bob=200)),
    "on_call_roster": (
        "get",
        lambda w: {"program_id": w.program.pk},
        row(200, otto=404, ada=404, aud=404, charlie=404, jude=404),
    ),
    "on_call_handover": (
        "get",
        lambda w: {"shift_id": w.shift.pk},
        row(404, bob=200, sue=200),
    ),
    # The shift has started, so sue is told it stays on the roster.
    "on_call_shift_remove": ("post", lambda w: {"shift_id": w.shift.pk}, row(404, sue=302)),
    "measures": (
        "get",
        lambda w: {"client_id": w.client.pk},
        row(404, alice=200, sue=200),
    ),
    "measure_new": (
        "get",
        lambda w: {"client_id": w.client.pk, "code": "phq9"},
        row(404, alice=200, sue=200),
    ),
    "measure_result": (
        "get",
        lambda w: {"client_id": w.client.pk, "response_id": w.measure.pk},
        row(404, alice=200, sue=200),
    ),
    "assessment_list": (
        "get",
        lambda w: {"client_id": w.client.pk},
        row(404, alice=200, sue=200),
    ),
    "assessment_new": ("post", lambda w: {"client_id": w.client.pk}, row(404, alice=302, sue=302)),
    "assessment_edit": (
        "get",
        lambda w: {"client_id": w.client.pk, "assessment_id": w.assessment.pk},
        row(404, alice=200, sue=200),
    ),
    "assessment_detail": (
        "get",
        lambda w: {"client_id": w.client.pk, "assessment_id": w.assessment.pk},
        row(404, alice=200, sue=200),
    ),
    "assessment_print": (
        "get",
        lambda w: {"client_id": w.client.pk, "assessment_id": w.assessment.pk},
        row(404, alice=200, sue=200),
    ),
    "plan_home": ("get", lambda w: {"client_id": w.client.pk}, row(404, alice=200, sue=200)),
    "plan_start": ("post", lambda w: {"client_id": w.client.pk}, row(404, alice=302, sue=302)),
    "plan_compare": ("get", lambda w: {"client_id": w.client.pk}, row(404, alice=200, sue=200)),
    "plan_detail": ("get", lambda w: _plan(w), row(404, alice=200, sue=200)),
    "plan_element_new": (
        "get",
        lambda w: _plan(w, w.draft_plan) | {"kind": "need"},
        row(404, alice=200, sue=200),
    ),
    "plan_element_edit": (
        "get",
        lambda w: _plan(w, w.draft_plan) | {"kind": "goal", "element_id": w.goal.pk},
        row(404, alice=200, sue=200),
    ),
    "plan_element_remove": (
        "post",
        lambda w: _plan(w, w.draft_plan) | {"kind": "goal", "element_id": w.goal.pk},
        row(404, alice=302, sue=302),
    ),
    "plan_sign": ("post", lambda w: _plan(w, w.draft_plan), row(404, alice=302, sue=302)),
    "plan_revise": ("post", lambda w: _plan(w), row(404, alice=302, sue=302)),
    "plan_close": ("post", lambda w: _plan(w), row(404, alice=302, sue=302)),
    "plan_review": ("get", lambda w: _plan(w), row(404, alice=200, sue=200)),
    "plan_print": ("get", lambda w: _plan(w), row(404, alice=200, sue=200)),
    "plan_pdf": ("get", lambda w: _plan(w), row(404, alice=200, sue=200)),
    "task_close": (
        "post",
        lambda w: {"client_id": w.client.pk, "task_id": w.task.pk},
        row(404, alice=302, sue=302),
    ),
    "task_take_over": (
        "post",
        lambda w: {"client_id": w.client.pk},
        row(404, alice=302, sue=302),
    ),
    "my_tasks": ("get", lambda w: {}, row(200)),
    "staff_changes": ("get", lambda w: {}, row(404, sue=200, otto=200, ada=200)),
    "password_set": (
        "get",
        lambda w: {"uidb64": "MQ", "token": "set-password"},
        row(200, anon=200),
    ),
    "password_set_done": ("get", lambda w: {}, row(200, anon=200)),
    "api_tokens": ("get", lambda w: {}, row(200)),
    "api_plan_list": (
        "get",
        lambda w: {"client_id": w.client.pk},
        row(404, anon=401, alice=200, sue=200),
    ),
    "api_plan_item": ("get", lambda w: _plan(w), row(404, anon=401, alice=200, sue=200)),
    "api_plan_fhir": ("get", lambda w: _plan(w), row(404, anon=401, alice=200, sue=200)),
    "api_patient_fhir": (
        "get",
        lambda w: {"client_id": w.client.pk},
        row(404, anon=401, alice=200, sue=200),
    ),
    "api_questionnaire_fhir": ("get", lambda w: {"questionnaire_id": "phq9-1"}, row(200, anon=401)),
    "api_measure_response_fhir": (
        "get",
        lambda w: {"client_id": w.client.pk, "response_id": w.measure.pk},
        row(404, anon=401, alice=200, sue=200),
    ),
    "api_measure_observation_fhir": (
        "get",
        lambda w: {"client_id": w.client.pk, "response_id": w.measure.pk},
        row(404, anon=401, alice=200, sue=200),
    ),
    "accounting": (
        "get",
        lambda w: {"client_id": w.client.pk},
        row(404, alice=200, sue=200),
    ),
    "contact_log": (
        "get",
        lambda w: {"client_id": w.client.pk},
        row(404, alice=200, sue=200, cody=200),
    ),
    "note_new": ("get", lambda w: {"client_id": w.client.pk}, row(404, alice=200, sue=200)),
    "note_detail": ("get", lambda w: _note(w), row(404, alice=200, sue=200)),
    # A draft is its writer's: the supervisor reads it but does not change it.
    "note_edit": ("get", lambda w: _note(w, w.draft_note), row(404, alice=200)),
    # Nothing to co-sign (the program asks for none): refused with a message on the note.
    "note_cosign": ("post", lambda w: _note(w), row(404, alice=302, sue=302)),
    # An empty addendum: the note again, with what is missing beside the field.
    "note_addendum": ("post", lambda w: _note(w), row(404, alice=200, sue=200)),
    "coaching_new": (
        "get",
        lambda w: {"client_id": w.client.pk},
        row(404, alice=200, sue=200, cody=200),
    ),
    "check_in_list": (
        "get",
        lambda w: {"client_id": w.client.pk},
        row(404, alice=200, sue=200, cody=200),
    ),
    "check_in_new": (
        "get",
        lambda w: {"client_id": w.client.pk},
        row(404, alice=200, sue=200, cody=200),
    ),
    # The Recovery tab opens for everyone on the client; screens and medications are clinical,
    # meetings are for whoever does check-ins.
    "recovery": (
        "get",
        lambda w: {"client_id": w.client.pk},
        row(404, alice=200, sue=200, cody=200),
    ),
    "screen_new": ("get", lambda w: {"client_id": w.client.pk}, row(404, alice=200, sue=200)),
    "screen_detail": (
        "get",
        lambda w: {"client_id": w.client.pk, "screen_id": w.screen.pk},
        row(404, alice=200, sue=200),
    ),
    "screen_confirm": (
        "get",
        lambda w: {"client_id": w.client.pk, "screen_id": w.screen.pk},
        row(404, alice=200, sue=200),
    ),
    "meeting_new": (
        "get",
        lambda w: {"client_id": w.client.pk},
        row(404, alice=200, sue=200, cody=200),
    ),
    "medication_new": ("get", lambda w: {"client_id": w.client.pk}, row(404, alice=200, sue=200)),
    "medication_edit": (
        "get",
        lambda w: {"client_id": w.client.pk, "medication_id": w.medication.pk},
        row(404, alice=200, sue=200),
    ),
    # The Calendar tab is for everyone on the client; scheduling and changing appointments is
    # for those who record contacts; a coach records whether the client went to a mutual-help
    # meeting (an empty form: the page again, with what is missing).
    "client_calendar": (
        "get",
        lambda w: {"client_id": w.client.pk},
        row(404, alice=200, sue=200, cody=200),
    ),
    "appointment_new": ("get", lambda w: {"client_id": w.client.pk}, row(404, alice=200, sue=200)),
    "appointment_detail": (
        "get",
        lambda w: _appointment(w),
        row(404, alice=200, sue=200, cody=200),
    ),
    "appointment_edit": ("get", lambda w: _appointment(w), row(404, alice=200, sue=200)),
    "appointment_reschedule": ("get", lambda w: _appointment(w), row(404, alice=200, sue=200)),
    "appointment_status": (
        "post",
        lambda w: _appointment(w),
        row(404, alice=200, sue=200, cody=200),
    ),
    # Not missed, not repeating: refused with a message on the appointment.
    "appointment_follow_up": ("post", lambda w: _appointment(w), row(404, alice=302, sue=302)),
    "appointment_series_cancel": ("post", lambda w: _appointment(w), row(404, alice=302, sue=302)),
    # What the client shares with their coach is set by whoever handles the client's consents.
    "coach_sharing": ("get", lambda w: {"client_id": w.client.pk}, row(404, alice=200, sue=200)),
    # Referrals are clinical to read and a disclosure to make; an empty post is the page again.
    "referral_list": ("get", lambda w: {"client_id": w.client.pk}, row(404, alice=200, sue=200)),
    "referral_new": ("get", lambda w: {"client_id": w.client.pk}, row(404, alice=200, sue=200)),
    "referral_detail": ("get", lambda w: _referral(w), row(404, alice=200, sue=200)),
    "referral_send": ("post", lambda w: _referral(w), row(404, alice=200, sue=200)),
    "referral_move": ("post", lambda w: _referral(w), row(404, alice=200, sue=200)),
    "referral_contact": ("post", lambda w: _referral(w), row(404, alice=200, sue=200)),
    "referral_packet_pdf": ("get", lambda w: _referral(w), row(404, alice=302, sue=302)),
    "referral_link": ("get", lambda w: _referral(w), row(404, alice=200, sue=200)),
    "referral_link_revoke": ("post", lambda w: _referral(w), row(404, alice=302, sue=302)),
    # The provider's link is its own sign-in: an unknown one is not found, signed in or not.
    "partner_referral": ("get", lambda w: {"token": "A" * 43}, row(404, anon=404)),
    "partner_accept": ("post", lambda w: {"token": "A" * 43}, row(404, anon=404)),
    "partner_decline": ("post", lambda w: {"token": "A" * 43}, row(404, anon=404)),
    "partner_schedule": ("post", lambda w: {"token": "A" * 43}, row(404, anon=404)),
    "partner_outcome": ("post", lambda w: {"token": "A" * 43}, row(404, anon=404)),
    "partner_thanks": ("get", lambda w: {}, row(200, anon=200)),
    # Applications are clinical to read and care-plan work to keep; documents are a disclosure.
    "application_list": ("get", lambda w: {"client_id": w.client.pk}, row(404, alice=200, sue=200)),
    "application_new": ("get", lambda w: {"client_id": w.client.pk}, row(404, alice=200, sue=200)),
    "application_detail": ("get", lambda w: _application(w), row(404, alice=200, sue=200)),
    "application_move": ("post", lambda w: _application(w), row(404, alice=200, sue=200)),
    "application_dates": ("post", lambda w: _application(w), row(404, alice=200, sue=200)),
    "application_authorization": ("post", lambda w: _application(w), row(404, alice=200, sue=200)),
    "application_appeal": ("post", lambda w: _application(w), row(404, alice=200, sue=200)),
    "application_send": ("post", lambda w: _application(w), row(404, alice=200, sue=200)),
    # The resource directory holds no client data: for everyone who works with clients.
    "directory_search": ("get", lambda w: {}, row(200, ada=404, aud=404, jude=404)),
    # Importing and exporting the directory: the agency's administrators only.
    "directory_imports": ("get", lambda w: {}, row(404, ada=200)),
    "directory_import": ("get", lambda w: _directory_import(w), row(404, ada=200)),
    "directory_import_status": ("get", lambda w: _directory_import(w), row(404, ada=200)),
    "directory_import_problems": ("get", lambda w: _directory_import(w), row(404, ada=200)),
    "directory_import_retry": ("post", lambda w: _directory_import(w), row(404, ada=302)),
    "directory_export": ("post", lambda w: {}, row(404, ada=400)),
    "my_calendar": ("get", lambda w: {}, row(200, ada=404, aud=404, jude=404)),
    "calendar_feed_settings": ("get", lambda w: {}, row(200, ada=404, aud=404, jude=404)),
    # The feed's secret is its sign-in: an unknown one is not found, signed in or not.
    "calendar_feed": ("get", lambda w: {"token": "cbcal_unknown"}, row(404, anon=404)),
}


# Each capability built on levels of care keeps its rows in its own module beside this one.
EXTRA = (
    matrix_transitions,
    matrix_discharge,
    matrix_followups,
    matrix_court,
    matrix_family,
    matrix_coaching,
    matrix_recovery_capital,
)
for _extra in EXTRA:
    MATRIX.update(_extra.ROWS)


def _plan(world: object, plan: object = None) -> dict[str, int]:
    return {"client_id": world.client.pk, "plan_id": (plan or world.plan).pk}  # type: ignore[attr-defined]


def _note(world: object, note: object = None) -> dict[str, int]:
    return {"client_id": world.client.pk, "note_id": (note or world.note).pk}  # type: ignore[attr-defined]


def _directory_import(world: object) -> dict[str, int]:
    return {"import_id": world.directory_import.pk}  # type: ignore[attr-defined]


def _referral(world: object) -> dict[str, int]:
    return {"client_id": world.client.pk, "referral_id": world.referral.pk}  # type: ignore[attr-defined]


def _application(world: object) -> dict[str, int]:
    return {"client_id": world.client.pk, "application_id": world.application.pk}  # type: ignore[attr-defined]


def _appointment(world: object) -> dict[str, int]:
    return {"client_id": world.client.pk, "appointment_id": world.appointment.pk}  # type: ignore[attr-defined]


def served_url_names() -> set[str]:
    """Every named URL the app serves, except Django admin's own (checked separately)."""
    names: set[str] = set()

    def walk(patterns: list[URLPattern | URLResolver]) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    continue
                walk(pattern.url_patterns)
            elif pattern.name:
                names.add(pattern.name)

    walk(get_resolver().url_patterns)
    return names


def test_every_served_url_has_an_entry_in_the_matrix():
    missing = served_url_names() - set(MATRIX)
    assert not missing, f"Add these URLs to the authorisation matrix: {sorted(missing)}"
    stale = set(MATRIX) - served_url_names()
    assert not stale, f"The matrix lists URLs the app no longer serves: {sorted(stale)}"


@pytest.fixture
def matrix_world(world):
    world.collateral = Collateral.objects.create(
        client=world.client, name="Pat Rivera", relationship="family", phone="5550001111"
    )
    world.flag = ClientFlag.objects.create(
        client=world.client, kind="high_risk", raised_by=world.alice
    )
    world.consent = ConsentFactory(
        client=world.client,
        recipient_collateral=world.collateral,
        signature_method="uploaded",
        signature_scan=SimpleUploadedFile(
            "signed.pdf", b"%PDF-1.4 signed", content_type="application/pdf"
        ),
        created_by=world.alice,
    )
    world.draft = ConsentFactory(client=world.client, status="draft", created_by=world.alice)
    world.disclosure = Disclosure.objects.create(
        client=world.client,
        consent=world.consent,
        recipient=world.collateral.name,
        categories=["attendance"],
        purpose="family",
        description="Attendance letter",
        method="printed",
        disclosed_by=world.alice,
    )
    world.measure = instrument_record(
        client=world.client,
        by=world.alice,
        code="cageaid",
        answers={"1": 0, "2": 0, "3": 0, "4": 1},
    )
    world.assessment = assessment_start(client=world.client, by=world.alice)
    world.plan = sign_all(ready_plan(world), world)
    world.task = PlanTask.objects.get(client=world.client)
    world.draft_plan = plan_revise(plan=world.plan, by=world.alice, reason="Matrix")
    world.goal = world.draft_plan.goals.get()
    note = {
        "contact_at": timezone.now() - timedelta(hours=1),
        "contact_type": "phone",
        "duration_minutes": 15,
        "sections": {"data": "Called", "assessment": "Well", "plan": "Visit Friday"},
    }
    world.note = monitoring_services.note_save(
        client=world.client, by=world.alice, sign=True, **note
    )
    world.draft_note = monitoring_services.note_save(client=world.client, by=world.alice, **note)
    world.screen = screen_record(
        client=world.client,
        by=world.alice,
        collected_on=timezone.localdate(),
        status="tested",
        specimen="urine",
        method="point_of_care",
        panel="fentanyl_xylazine",
        results={"fentanyl": "positive", "xylazine": "negative"},
    )
    world.medication = medication_record(
        client=world.client,
        by=world.alice,
        drug="Buprenorphine",
        use_disorder="buprenorphine",
        dose="8 mg daily",
        started_on=timezone.localdate(),
    )
    # A mutual-help meeting last night, not yet recorded.
    meeting_at = timezone.localtime() - timedelta(days=1)
    world.appointment = appointment_schedule(
        client=world.client,
        by=world.alice,
        kind="mutual_help",
        starts_at=meeting_at,
        ends_at=meeting_at + timedelta(hours=1),
    ).appointments.get()
    world.referral = referral_draft(
        client=world.client,
        by=world.alice,
        provider_name="Hope House",
        reason="Needs a sober place to live.",
    )
    world.directory_import = DirectoryImport.objects.create(
        organisation=world.org,
        uploaded_by=world.ada,
        file="directory-imports/matrix.json",
        file_name="matrix.json",
    )
    world.application = application_start(
        client=world.client, by=world.alice, kind="medicaid", agency_name="County DSS"
    )
    world.alert = concern_raise(client=world.client, by=world.cody, text="Sounded low today")
    world.safety_plan = safety_plan_start(client=world.client, by=world.alice)
    world.shift = shift_add(
        program=world.program,
        user=world.bob,
        starts_at=timezone.now() - timedelta(hours=1),
        ends_at=timezone.now() + timedelta(hours=8),
        by=world.sue,
    )
    for extra in EXTRA:
        extra.prepare(world)
    return world


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_each_person_gets_the_expected_answer(matrix_world, name):
    """Everyone asks in turn; what each one's request did is undone before the next asks, so
    each answer is the one a person asking first would get."""
    method, make_kwargs, expected = MATRIX[name]
    url = reverse(name, kwargs=make_kwargs(matrix_world))
    answers = {person: _answer(matrix_world, person, method, url) for person in PEOPLE}
    wrong = {
        person: f"got {answers[person]}, expected {expected[person]}"
        for person in PEOPLE
        if answers[person] != expected[person]
    }
    assert not wrong, f"{method.upper()} {name}: {wrong}"


def _answer(world: object, person: str, method: str, url: str) -> int:
    browser = Browser()
    with undone():
        if person != "anon":
            browser.force_login(getattr(world, person))
        try:
            return getattr(browser, method)(url).status_code
        except Exception as error:
            raise AssertionError(f"{person} {method.upper()} {url} raised {error!r}") from error


@pytest.mark.parametrize(
    "name",
    [
        "client_overview",
        "client_timeline",
        "collateral_list",
        "client_edit",
        "client_assign",
        "collateral_add",
        "contact_log",
        "note_new",
        "coaching_new",
        "check_in_list",
        "check_in_new",
        "client_calendar",
        "appointment_new",
        "recovery",
        "screen_new",
        "meeting_new",
        "medication_new",
        "coach_sharing",
        "referral_list",
        "referral_new",
        "application_list",
        "application_new",
        "safety_plan_home",
        "on_call_client",
        "client_alerts",
        "concern_new",
        *[name for extra in EXTRA for name in extra.OTHER_ORGANISATION],
    ],
)
@pytest.mark.parametrize("person", ["alice", "sue", "bob", "ivy"])
def test_another_organisations_client_is_not_found_for_everyone(client, world, name, person):
    client.force_login(getattr(world, person))
    response = client.get(reverse(name, kwargs={"client_id": world.foreign_client.pk}))
    assert response.status_code == 404


def test_not_found_page_says_nothing_about_the_client(client, world):
    client.force_login(world.bob)
    response = client.get(reverse("client_overview", kwargs={"client_id": world.client.pk}))
    assert response.status_code == 404
    body = response.content.decode()
    assert "Jamie" not in body and "Rivera" not in body and world.client.case_number not in body


def test_administrators_configure_but_cannot_open_client_records_in_admin(client, world):
    from django.contrib import admin

    registered = {model._meta.app_label for model in admin.site._registry}
    assert "clients" not in registered
    client.force_login(world.ada)
    assert client.get(reverse("admin:index")).status_code == 200

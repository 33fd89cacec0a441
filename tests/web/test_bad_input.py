"""Bad input gets a plain answer, never a server error, and is never stored: numbers that only
look like numbers, text with NUL or control characters, dates in year 1 or 9999, huge images,
files that are not what they say, and JSON beyond the API's bounds. Each case here came from an
outside fuzz run (every one answered 500, or stored what it should have refused)."""

import json
import struct
import zlib
from base64 import b64encode
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from casebridge.accounts.models import ApiToken, StaffChange
from casebridge.accounts.services import api_token_create
from casebridge.consents import services as consent_services
from casebridge.consents.gate import Recipient
from casebridge.consents.models import Consent, Disclosure
from casebridge.plans import services as plan_services
from casebridge.plans.models import Intervention, Objective, PlanSignature, PlanTask, Problem
from tests.factories import CollateralFactory, ConsentFactory
from tests.plans.helpers import ready_plan, sign_all

TODAY = timezone.localdate
NOT_ASCII_DIGITS = ["²", "\u0663", "\uff11"]  # superscript two, Arabic-Indic three, fullwidth one


def _png(width: int, height: int) -> bytes:
    """A PNG whose header claims this size; its pixels are never there (nor ever read)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00"))
        + chunk(b"IEND", b"")
    )


def _data_url(png: bytes) -> str:
    return "data:image/png;base64," + b64encode(png).decode()


def _plan_url(name, world, plan, *args):
    return reverse(name, args=[world.client.pk, plan.pk, *args])


@pytest.fixture
def mother(world):
    return CollateralFactory(client=world.client, name="Rosa Rivera", relationship="family")


# --- Numbers that only look like numbers ------------------------------------------------------


@pytest.mark.parametrize("digits", NOT_ASCII_DIGITS)
def test_a_step_for_a_goal_named_by_an_unreadable_number_is_not_found(client, world, digits):
    plan = ready_plan(world)
    client.force_login(world.alice)
    response = client.get(_plan_url("plan_element_new", world, plan, "step") + f"?goal={digits}")
    assert response.status_code == 404


@pytest.mark.parametrize("digits", NOT_ASCII_DIGITS)
def test_a_goal_form_ignores_an_unreadable_need_number(client, world, digits):
    plan = ready_plan(world)
    client.force_login(world.alice)
    response = client.get(_plan_url("plan_element_new", world, plan, "goal") + f"?need={digits}")
    assert response.status_code == 200


@pytest.mark.parametrize("digits", NOT_ASCII_DIGITS)
def test_the_team_caseload_ignores_an_unreadable_case_manager(client, world, digits):
    client.force_login(world.sue)
    assert client.get(reverse("caseload"), {"case_manager": digits}).status_code == 200


@pytest.mark.parametrize("digits", NOT_ASCII_DIGITS)
def test_taking_over_tasks_of_an_unreadable_owner_moves_nothing(client, world, digits):
    plan = sign_all(ready_plan(world), world)
    client.force_login(world.alice)
    response = client.post(reverse("task_take_over", args=[world.client.pk]), {"owner": digits})
    assert response.status_code == 302
    assert set(
        PlanTask.objects.filter(intervention__plan=plan).values_list("owner", flat=True)
    ) == {world.alice.pk}


@pytest.mark.parametrize("digits", NOT_ASCII_DIGITS)
def test_revoking_an_unreadable_token_number_revokes_nothing(client, world, digits):
    token, _ = api_token_create(user=world.alice, name="Reports", days=30)
    client.force_login(world.alice)
    response = client.post(reverse("api_tokens"), {"revoke": digits})
    assert response.status_code == 302
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


@pytest.mark.parametrize("digits", NOT_ASCII_DIGITS)
def test_deciding_an_unreadable_staff_change_is_not_found(client, world, digits):
    client.force_login(world.ada)
    response = client.post(reverse("staff_changes"), {"change": digits, "confirm": "1"})
    assert response.status_code == 404
    assert not StaffChange.objects.filter(status="confirmed").exists()


@pytest.mark.parametrize("version", ["x", "²", "", "1.0", "-1"])
def test_signing_with_an_unreadable_version_signs_nothing(client, world, version):
    plan = ready_plan(world)
    client.force_login(world.alice)
    response = client.post(
        _plan_url("plan_sign", world, plan), {"role": "case_manager", "version": version}
    )
    assert response.status_code == 302
    assert not PlanSignature.objects.filter(plan=plan).exists()


@pytest.mark.parametrize("version", ["x", "²", "", "1e3"])
def test_removing_with_an_unreadable_version_removes_nothing(client, world, version):
    plan = ready_plan(world)
    objective = plan.objectives.get()
    client.force_login(world.alice)
    response = client.post(
        _plan_url("plan_element_remove", world, plan, "step", objective.pk), {"version": version}
    )
    assert response.status_code == 302
    assert Objective.objects.filter(pk=objective.pk).exists()


# --- NUL and lone surrogates anywhere in the address -------------------------------------------


def test_nul_in_an_address_segment_is_a_plain_400(client, world, mother):
    consent = ConsentFactory(client=world.client, recipient_collateral=mother)
    client.force_login(world.alice)
    response = client.get(f"/clients/{world.client.pk}/consents/{consent.pk}/print/%00/")
    assert response.status_code == 400
    assert b"could not be used" in response.content


def test_nul_in_an_admin_filter_is_a_plain_400(client, world):
    client.force_login(world.ada)
    response = client.get("/admin/accounts/user/", {"role__exact": "\x00"})
    assert response.status_code == 400


def test_nul_in_a_posted_field_that_no_form_reads_is_a_plain_400(client, world):
    plan = ready_plan(world)
    client.force_login(world.alice)
    response = client.post(
        _plan_url("plan_sign", world, plan), {"role": "case\x00manager", "version": plan.version}
    )
    assert response.status_code == 400
    assert not PlanSignature.objects.filter(plan=plan).exists()


def test_nul_on_the_api_is_answered_in_the_house_json_format(client, world):
    plan = ready_plan(world)
    client.force_login(world.alice)
    response = client.get(_plan_url("api_plan_item", world, plan) + "?x=%00")
    assert response.status_code == 400
    assert set(response.json()) == {"error"}


# --- Dates: 1900 to 2100 -----------------------------------------------------------------------


def test_the_accounting_of_disclosures_refuses_year_9999_beside_the_field(client, world):
    client.force_login(world.alice)
    response = client.get(
        reverse("accounting", args=[world.client.pk]),
        {"since": "2020-01-01", "until": "9999-12-31"},
    )
    assert response.status_code == 200
    assert "between 1900 and 2100" in response.content.decode()


def test_the_audit_trail_refuses_year_9999(client, world):
    client.force_login(world.aud)
    response = client.get(reverse("audit_trail"), {"until": "9999-12-31"})
    assert response.status_code in {200, 400}
    assert "between 1900 and 2100" in response.content.decode()


def test_a_weekly_task_first_due_in_year_9999_is_refused_beside_the_field(client, world):
    plan = ready_plan(world)
    goal = plan.goals.get()
    client.force_login(world.alice)
    response = client.post(
        _plan_url("plan_element_new", world, plan, "action") + f"?goal={goal.pk}",
        {
            "version": plan.version,
            "action": "Weekly check-in call",
            "responsible": "case_manager",
            "frequency": "weekly",
            "owner": world.alice.pk,
            "first_due_on": "9999-12-30",
        },
    )
    assert response.status_code == 200
    assert "between 1900 and 2100" in response.content.decode()
    assert Intervention.objects.filter(plan=plan).count() == 1


@pytest.mark.parametrize("when", ["9999-12-31", "0001-01-01"])
def test_a_step_dated_in_an_impossible_year_is_refused(client, world, when):
    plan = ready_plan(world)
    goal = plan.goals.get()
    client.force_login(world.alice)
    response = client.post(
        _plan_url("plan_element_new", world, plan, "step") + f"?goal={goal.pk}",
        {"version": plan.version, "text": "Visit the housing office", "target_date": when},
    )
    assert response.status_code == 200
    assert "between 1900 and 2100" in response.content.decode()
    assert plan.objectives.count() == 1


def test_a_consent_signed_in_year_1_is_refused_even_as_a_draft(client, world, mother):
    client.force_login(world.alice)
    response = client.post(
        reverse("consent_new", args=[world.client.pk]),
        {"language": "en", "signed_on": "0001-01-01", "recipient_collateral": mother.pk},
    )
    assert response.status_code == 200
    assert "between 1900 and 2100" in response.content.decode()
    assert not Consent.objects.exists()


def test_a_last_use_in_year_1_is_refused_on_the_assessment(client, world):
    from casebridge.assessments import services as assessment_services

    assessment = assessment_services.assessment_start(client=world.client, by=world.alice)
    client.force_login(world.alice)
    response = client.post(
        reverse("assessment_edit", args=[world.client.pk, assessment.pk]),
        {
            "version": assessment.version,
            "sub-TOTAL_FORMS": "1",
            "sub-INITIAL_FORMS": "0",
            "sub-0-substance": "alcohol",
            "sub-0-last_use": "0001-01-01",
        },
    )
    assert response.status_code == 200
    assert "between 1900 and 2100" in response.content.decode()
    assessment.refresh_from_db()
    assert assessment.substances == []


# --- Consents: an ended consent stays ended --------------------------------------------------


def _event_consent(world, mother, **extra):
    return ConsentFactory(
        client=world.client,
        recipient_collateral=mother,
        expiry_kind="event",
        expires_on=None,
        expiry_event="end of treatment",
        **extra,
    )


def test_an_ending_event_dated_in_the_future_is_refused(client, world, mother):
    consent = _event_consent(world, mother)
    client.force_login(world.alice)
    response = client.post(
        reverse("consent_event", args=[world.client.pk, consent.pk]),
        {"happened_on": "9999-12-31"},
    )
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.expiry_event_happened_on is None
    tomorrow = TODAY() + timedelta(days=1)
    with pytest.raises(consent_services.ValidationError):
        consent_services.consent_event_happened(
            consent=consent, by=world.alice, happened_on=tomorrow
        )


def test_a_consent_recorded_as_ended_on_a_future_day_shares_nothing(world, mother):
    """Rows saved before the date was checked: the page says ended, so the gate refuses."""
    _event_consent(world, mother, expiry_event_happened_on=TODAY() + timedelta(days=300))
    decision = consent_services.disclosure_gate(
        client=world.client,
        recipient=Recipient(name=mother.name, collateral_id=mother.pk),
        categories={"attendance"},
        purpose="family",
    )
    assert not decision.allowed


def test_an_emergency_disclosure_whose_recipient_would_not_fit_is_refused(client, world):
    client.force_login(world.alice)
    response = client.post(
        reverse("disclosure_emergency", args=[world.client.pk]),
        {
            "personnel": "P" * 150,
            "facility": "F" * 150,
            "nature": "Unresponsive after an overdose in the lobby",
            "description": "Substances used this week",
            "method": "phone",
        },
    )
    assert response.status_code == 200
    assert "99 characters" in response.content.decode()
    assert not Disclosure.objects.exists()


def test_the_emergency_service_refuses_names_too_long_together(world):
    with pytest.raises(consent_services.ValidationError) as refused:
        consent_services.disclosure_record_emergency(
            client=world.client,
            by=world.alice,
            personnel="P" * 120,
            facility="F" * 120,
            nature="Unresponsive after an overdose",
            description="Substances used this week",
            method="phone",
        )
    assert "facility" in refused.value.message_dict
    assert not Disclosure.objects.exists()


# --- Drawn signatures and uploaded scans ------------------------------------------------------


def test_a_400_megapixel_drawn_signature_is_refused_beside_the_box(client, world):
    plan = ready_plan(world)
    client.force_login(world.alice)
    response = client.post(
        _plan_url("plan_sign", world, plan),
        {
            "role": "client",
            "version": plan.version,
            "method": "on_screen",
            "name": "Jamie Rivera",
            "image": _data_url(_png(20_000, 20_000)),
        },
    )
    assert response.status_code == 400
    assert "too large" in response.content.decode()
    assert not PlanSignature.objects.filter(plan=plan).exists()


def test_a_consent_signature_that_is_no_picture_is_refused(client, world, mother):
    client.force_login(world.alice)
    for image in (_data_url(_png(20_000, 20_000)), "data:image/png;base64,PGh0bWw+"):
        response = client.post(
            reverse("consent_new", args=[world.client.pk]),
            {"language": "en", "signature_method": "drawn", "signature_image": image},
        )
        assert response.status_code == 200
        assert not Consent.objects.exists()


def _scan_post(upload):
    return {"language": "en", "signature_method": "uploaded", "signature_scan": upload}


def test_a_scan_is_judged_by_its_content_not_its_declared_type(client, world):
    client.force_login(world.alice)
    disguised = SimpleUploadedFile(
        "form.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf"
    )
    response = client.post(reverse("consent_new", args=[world.client.pk]), _scan_post(disguised))
    assert response.status_code == 200
    assert "not a PDF or a picture" in response.content.decode()
    assert not Consent.objects.exists()


def test_a_scan_picture_of_too_many_pixels_is_refused(client, world):
    client.force_login(world.alice)
    huge = SimpleUploadedFile("form.png", _png(30_000, 30_000), content_type="image/png")
    response = client.post(reverse("consent_new", args=[world.client.pk]), _scan_post(huge))
    assert response.status_code == 200
    assert not Consent.objects.exists()


def test_a_real_pdf_scan_is_kept_under_a_name_of_our_own(client, world):
    client.force_login(world.alice)
    pdf = SimpleUploadedFile("Jamie Rivera consent.pdf", b"%PDF-1.4\n%%EOF\n", content_type="")
    response = client.post(reverse("consent_new", args=[world.client.pk]), _scan_post(pdf))
    assert response.status_code == 302
    stored = Consent.objects.get().signature_scan.name
    assert "Rivera" not in stored and stored.endswith(".pdf")


# --- Text: control characters, non-ASCII digits, bounds -------------------------------------


def _details(world, **changes):
    data = {
        "version": world.client.version,
        "legal_first_name": "Jamie",
        "legal_last_name": "Rivera",
        "date_of_birth": "1990-05-17",
        "preferred_language": "English",
        "referral_source": "self",
        "case_management_model": "clinical",
        "program": world.program.pk,
        "phone": "555-123-4567",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(
    "changes",
    [
        {"legal_first_name": "Jamie\x07"},
        {"legal_last_name": "Rivera\x1b[31m"},
        {"preferred_name": "Jay\r\nRivera"},
        {"phone": "\u0665\u0665\u0665-\u0661\u0662\u0663-\u0664\u0665\u0666\u0667"},
        {"phone": "555\t123\t4567"},
        {"address": "12 Main St\x00"},
        {"goals_in_own_words": "x" * 5000},
    ],
    ids=["bell", "escape", "line-break", "arabic-digits", "tabs", "nul", "too-long"],
)
def test_client_details_with_hidden_characters_are_refused_beside_the_field(client, world, changes):
    client.force_login(world.alice)
    response = client.post(
        reverse("client_edit", args=[world.client.pk]), _details(world, **changes)
    )
    assert response.status_code in {200, 400}
    world.client.refresh_from_db()
    assert world.client.version == 1 and world.client.phone == "5551234567"


def test_a_line_break_is_fine_in_a_multi_line_answer(client, world):
    client.force_login(world.alice)
    response = client.post(
        reverse("client_edit", args=[world.client.pk]),
        _details(world, address="12 Main St\r\nApt 4\tback door"),
    )
    assert response.status_code == 302
    world.client.refresh_from_db()
    assert "Apt 4" in world.client.address


def test_a_contact_note_with_control_characters_is_refused(client, world):
    client.force_login(world.alice)
    response = client.post(
        reverse("collateral_add", args=[world.client.pk]),
        {"name": "Dana", "relationship": "family", "phone": "5559876543", "notes": "hi\x1b"},
    )
    assert response.status_code == 200
    assert "hidden characters" in response.content.decode()
    assert not world.client.collaterals.exists()


def test_a_need_longer_than_the_printed_plan_takes_is_refused(client, world):
    plan = ready_plan(world)
    client.force_login(world.alice)
    response = client.post(
        _plan_url("plan_element_new", world, plan, "need"),
        {"version": plan.version, "statement": "Housing " * 1000},
    )
    assert response.status_code == 200
    assert Problem.objects.filter(plan=plan).count() == 1


def test_a_task_note_longer_than_a_line_is_refused(client, world):
    plan = sign_all(ready_plan(world), world)
    task = PlanTask.objects.get(intervention__plan=plan)
    client.force_login(world.alice)
    client.post(
        reverse("task_close", args=[world.client.pk, task.pk]), {"done": "0", "note": "n" * 5000}
    )
    task.refresh_from_db()
    assert task.status == "open"


def test_the_services_refuse_what_the_forms_refuse(world):
    plan = ready_plan(world)
    with pytest.raises(plan_services.ValidationError) as refused:
        plan_services.objective_save(
            plan=plan,
            by=world.alice,
            version=plan.version,
            goal_id=plan.goals.get().pk,
            text="Visit\x00 the office",
        )
    assert "text" in refused.value.message_dict


# --- The plans API: bounded JSON ----------------------------------------------------------------


def _api(client, world, plan, body):
    raw = body if isinstance(body, str) else json.dumps(body)
    return client.put(
        _plan_url("api_plan_item", world, plan), data=raw, content_type="application/json"
    )


@pytest.fixture
def api_plan(client, world):
    plan = ready_plan(world)
    client.force_login(world.alice)
    return plan


def _document(client, world, plan):
    return client.get(_plan_url("api_plan_item", world, plan)).json()


def test_api_refuses_nul_in_a_string(client, world, api_plan):
    document = _document(client, world, api_plan)
    document["problems"][0]["statement"] = "Housing\x00"
    response = _api(client, world, api_plan, document)
    assert response.status_code == 400 and "error" in response.json()
    assert api_plan.problems.get().statement != "Housing\x00"


def test_api_refuses_a_lone_surrogate(client, world, api_plan):
    document = _document(client, world, api_plan)
    document["problems"][0]["statement"] = "SURROGATE"
    body = json.dumps(document).replace("SURROGATE", "\\ud800")
    assert _api(client, world, api_plan, body).status_code == 400


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e400", "1" * 40])
def test_api_refuses_numbers_no_column_takes(client, world, api_plan, number):
    document = _document(client, world, api_plan)
    document["note"] = "NUMBER"
    body = json.dumps(document).replace('"NUMBER"', number)
    response = _api(client, world, api_plan, body)
    assert response.status_code == 400 and "error" in response.json()


def test_api_refuses_a_document_nested_20000_deep(client, world, api_plan):
    body = '{"version": 1, "problems": [], "note": ' + "[" * 20_000 + "]" * 20_000 + "}"
    response = _api(client, world, api_plan, body)
    assert response.status_code == 400 and "nested" in response.json()["error"]


def test_api_refuses_a_body_over_the_size_limit(client, world, api_plan):
    document = _document(client, world, api_plan)
    document["problems"] = [{"statement": "x" * 900, "goals": []} for _ in range(2000)]
    assert _api(client, world, api_plan, document).status_code == 400


@pytest.mark.parametrize("needs", [51, 201, 32_769])
def test_api_refuses_more_needs_than_a_plan_holds(client, world, api_plan, needs):
    document = _document(client, world, api_plan)
    document["problems"] = [{"statement": "N"} for _ in range(needs)]
    response = _api(client, world, api_plan, document)
    assert response.status_code == 400
    assert api_plan.problems.count() == 1


@pytest.mark.parametrize("domain", [0, False, [], {}, 1.5, "nowhere"])
def test_api_refuses_a_life_area_of_the_wrong_type(client, world, api_plan, domain):
    document = _document(client, world, api_plan)
    document["problems"][0]["need_domain"] = domain
    response = _api(client, world, api_plan, document)
    assert response.status_code == 400
    assert "problems[0].need_domain" in response.json()["errors"]
    assert api_plan.problems.get().need_domain == "housing"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("target_date", "9999-12-31"),
        ("target_date", 20301231),
        ("own_words", 5),
        ("own_words", "x" * 5000),
        ("own_words", "I want\x07 my own place"),
        ("term", ["short"]),
        ("strength", False),
    ],
)
def test_api_refuses_goal_fields_a_form_would_refuse(client, world, api_plan, field, value):
    document = _document(client, world, api_plan)
    document["problems"][0]["goals"][0][field] = value
    response = _api(client, world, api_plan, document)
    assert response.status_code == 400
    assert f"problems[0].goals[0].{field}" in response.json()["errors"]


def test_api_refuses_a_weekly_task_first_due_in_year_9999(client, world, api_plan):
    document = _document(client, world, api_plan)
    document["problems"][0]["goals"][0]["interventions"][0]["first_due_on"] = "9999-12-30"
    response = _api(client, world, api_plan, document)
    assert response.status_code == 400
    assert Intervention.objects.get(plan=api_plan).first_due_on is None


def test_api_still_takes_a_good_document(client, world, api_plan):
    document = _document(client, world, api_plan)
    document["problems"][0]["statement"] = "Housing: needs\nits own place"
    response = _api(client, world, api_plan, document)
    assert response.status_code == 200
    assert api_plan.problems.get().statement == "Housing: needs\nits own place"

"""The biopsychosocial assessment: drafts, signing and locking, addenda, needs, ASAM and the
level-of-care suggestion the case manager confirms or overrides."""

import pytest
from django.core.exceptions import ValidationError

from casebridge.assessments import services
from casebridge.assessments.biopsychosocial import ASAM_DIMENSIONS, NEED_DOMAINS, suggest_level
from casebridge.assessments.models import Assessment
from casebridge.audit.models import AuditEvent
from casebridge.audit.versions import VersionConflict


def complete(ratings=(1, 0, 2, 1, 2, 1), level=None, reason=""):
    asam = {
        str(d): {"rating": r, "rationale": f"because {d}"}
        for (d, _), r in zip(ASAM_DIMENSIONS, ratings, strict=True)
    }
    suggested = suggest_level(dict(enumerate(ratings, start=1)))[0]
    return {
        "sections": {"housing": {"situation": "Sober living house", "stable": "yes"}},
        "substances": [
            {
                "substance": "opioids",
                "age_first_use": 19,
                "route": "injected",
                "last_use": "2026-10-01",
                "overdoses": 2,
            }
        ],
        "needs": {domain: {"severity": 1, "reason": ""} for domain, _ in NEED_DOMAINS},
        "asam": asam,
        "chosen_level": level or suggested,
        "level_override_reason": reason,
    }


@pytest.mark.parametrize(
    ("ratings", "level"),
    [
        ((0, 0, 0, 0, 0, 0), "0.5"),
        ((1, 1, 0, 1, 1, 0), "1"),
        ((0, 0, 0, 2, 0, 0), "2.1"),
        ((0, 0, 2, 0, 2, 2), "2.5"),
        ((2, 0, 0, 0, 2, 2), "2.5"),
        ((0, 0, 0, 1, 3, 1), "3.5"),
        ((0, 0, 0, 0, 0, 3), "3.5"),
        ((3, 0, 0, 0, 0, 0), "3.7"),
        ((0, 3, 1, 1, 1, 1), "3.7"),
        ((4, 0, 0, 0, 0, 0), "4"),
        ((0, 0, 4, 0, 0, 0), "4"),
    ],
)
def test_level_suggestion_from_the_six_ratings(ratings, level):
    assert suggest_level(dict(enumerate(ratings, start=1)))[0] == level


def test_a_draft_saves_and_signing_locks_it(world):
    assessment = services.assessment_start(client=world.client, by=world.alice)
    saved = services.assessment_save(assessment=assessment, by=world.alice, version=1, **complete())
    assert saved.status == "draft" and saved.suggested_level == "2.1"
    signed = services.assessment_save(
        assessment=saved, by=world.alice, version=saved.version, sign=True, **complete()
    )
    assert (
        signed.status == "signed"
        and signed.signed_by == world.alice
        and signed.chosen_level == "2.1"
    )
    with pytest.raises(services.AssessmentLocked):
        services.assessment_save(
            assessment=signed, by=world.alice, version=signed.version, **complete()
        )
    assert world.client.timeline.filter(summary__startswith="Assessment signed: level 2.1").exists()
    assert AuditEvent.objects.filter(
        object_type="assessment", changes__status=["draft", "signed"]
    ).exists()


def test_signing_needs_all_ratings_and_a_reason_to_override(world):
    assessment = services.assessment_start(client=world.client, by=world.alice)
    partial = complete()
    partial["asam"]["4"]["rating"] = None
    partial["needs"]["housing"]["severity"] = None
    with pytest.raises(ValidationError) as refused:
        services.assessment_save(
            assessment=assessment, by=world.alice, version=1, sign=True, **partial
        )
    assert {"asam_4_rating", "need_housing_severity"} <= set(refused.value.error_dict)
    with pytest.raises(ValidationError) as refused:
        services.assessment_save(
            assessment=assessment, by=world.alice, version=1, sign=True, **complete(level="3.5")
        )
    assert set(refused.value.error_dict) == {"level_override_reason"}
    signed = services.assessment_save(
        assessment=assessment,
        by=world.alice,
        version=1,
        sign=True,
        **complete(level="3.5", reason="No safe place to live; court requires residential"),
    )
    assert (signed.suggested_level, signed.chosen_level) == ("2.1", "3.5")
    assert Assessment.objects.get(pk=assessment.pk).status == "signed"


def test_concurrent_edits_of_a_draft_are_refused_not_merged_and_name_who_saved(world):
    assessment = services.assessment_start(client=world.client, by=world.alice)
    services.assessment_save(assessment=assessment, by=world.sue, version=1, **complete())
    with pytest.raises(VersionConflict) as conflict:
        services.assessment_save(
            assessment=assessment, by=world.alice, version=1, **complete(ratings=(0, 0, 0, 0, 0, 0))
        )
    assert Assessment.objects.get(pk=assessment.pk).asam["3"]["rating"] == 2
    [change] = conflict.value.changes
    assert change.who == "sue"
    assert change.fields["version"] == [1, 2]
    assert change.fields["ASAM dimension 3 rating"] == [None, 2]
    assert change.fields["Housing need"] == [None, "Low"]


def test_a_stale_save_on_the_page_shows_who_saved_and_keeps_the_typed_answers(client, world):
    assessment = services.assessment_start(client=world.client, by=world.alice)
    services.assessment_save(assessment=assessment, by=world.sue, version=1, **complete())
    client.force_login(world.alice)
    data = {
        "version": 1,
        "sub-TOTAL_FORMS": 0,
        "sub-INITIAL_FORMS": 0,
        "s_medical_doctor": "Dr. Osei at the free clinic",
        "save": "1",
    }
    response = client.post(f"/clients/{world.client.pk}/assessments/{assessment.pk}/edit/", data)
    page = response.content.decode()
    assert response.status_code == 409
    assert "Someone else changed this while you were working" in page
    assert "Someone else saved this assessment while you were working on it." in page
    assert "sue at" in page and "ASAM dimension 3 rating" in page
    assert 'value="Dr. Osei at the free clinic"' in page
    # The form now carries the version the record is at: saving again is a deliberate choice.
    assert 'name="version" value="2"' in page
    assert Assessment.objects.get(pk=assessment.pk).sections.get("medical") is None


def test_addenda_only_on_signed_assessments_and_never_change_them(world):
    assessment = services.assessment_start(client=world.client, by=world.alice)
    with pytest.raises(ValidationError):
        services.addendum_add(assessment=assessment, by=world.alice, text="too early")
    signed = services.assessment_save(
        assessment=assessment, by=world.alice, version=1, sign=True, **complete()
    )
    services.addendum_add(
        assessment=signed, by=world.sue, text="Client later disclosed a second overdose in 2024."
    )
    signed.refresh_from_db()
    assert signed.substances[0]["overdoses"] == 2
    assert signed.addenda.get().written_by == world.sue


def test_the_pages_walk_from_draft_to_signed_to_print(client, world):
    client.force_login(world.alice)
    response = client.post(f"/clients/{world.client.pk}/assessments/new/")
    assessment = Assessment.objects.get()
    assert response.url == f"/clients/{world.client.pk}/assessments/{assessment.pk}/edit/"
    form = client.get(response.url)
    assert (
        form.status_code == 200 and "Substance use, one row per substance" in form.content.decode()
    )
    data = {
        "version": 1,
        "sub-TOTAL_FORMS": 1,
        "sub-INITIAL_FORMS": 0,
        "sub-MIN_NUM_FORMS": 0,
        "sub-MAX_NUM_FORMS": 10,
        "sub-0-substance": "alcohol",
        "sub-0-age_first_use": 15,
        "sub-0-last_use": "2999-01-01",
        "chosen_level": "",
        "save": "1",
    }
    bad = client.post(response.url, data)
    assert "The last use cannot be in the future." in bad.content.decode()
    data["sub-0-last_use"] = "2026-11-01"
    for domain, _ in NEED_DOMAINS:
        data[f"need_{domain}_severity"] = 2
    for dimension, _ in ASAM_DIMENSIONS:
        data[f"asam_{dimension}_rating"] = 1
    assert client.post(response.url, data).status_code == 302
    page = client.get(response.url).content.decode()
    assert "Suggested level of care: 1 Outpatient." in page
    data.update({"version": 2, "chosen_level": "1", "sign": "1"})
    data.pop("save")
    signed = client.post(response.url, data)
    assert signed.url == f"/clients/{world.client.pk}/assessments/{assessment.pk}/"
    summary = client.get(
        f"/clients/{world.client.pk}/assessments/{assessment.pk}/print/"
    ).content.decode()
    assert "Assessment summary" in summary and "Outpatient" in summary and "Alcohol" in summary
    assert (
        client.get(f"/clients/{world.client.pk}/assessments/{assessment.pk}/edit/").status_code
        == 302
    )

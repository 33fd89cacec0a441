"""A reassessment starts from the last signed assessment, each part taken over marked "carried
over" until the case manager confirms or changes it; the first assessment starts from what
registration recorded. The marker never blocks signing, and the signed record says what was
signed unconfirmed."""

from datetime import datetime

from django.utils import timezone

from casebridge.assessments import services
from casebridge.assessments.biopsychosocial import NEED_DOMAINS
from casebridge.assessments.models import Assessment
from tests.assessments.test_biopsychosocial import complete

SIGNED_ON = timezone.make_aware(datetime(2026, 3, 3, 10, 30))


def signed(world, **overrides):
    """A signed assessment of the world's client, signed on 3 March 2026."""
    answers = complete() | overrides
    answers["sections"] = answers["sections"] | {
        "medical": {"conditions": "Hepatitis C, treated in 2025", "doctor": ""}
    }
    assessment = services.assessment_start(client=world.client, by=world.alice)
    done = services.assessment_save(
        assessment=assessment, by=world.alice, version=assessment.version, sign=True, **answers
    )
    Assessment.objects.filter(pk=done.pk).update(signed_at=SIGNED_ON)
    return Assessment.objects.get(pk=done.pk)


def form_data(assessment, **extra):
    """What the edit page posts when nothing is changed: every part as the draft holds it."""
    data = {
        "version": assessment.version,
        "sub-TOTAL_FORMS": len(assessment.substances),
        "sub-INITIAL_FORMS": 0,
        "chosen_level": "",
        "save": "1",
    }
    for n, row in enumerate(assessment.substances):
        for key, value in row.items():
            data[f"sub-{n}-{key}"] = "" if value is None else value
    for key, answers in assessment.sections.items():
        for question, value in answers.items():
            data[f"s_{key}_{question}"] = value
    for domain, need in assessment.needs.items():
        data[f"need_{domain}_severity"] = need["severity"]
        data[f"need_{domain}_reason"] = need["reason"]
    for dimension, rated in assessment.asam.items():
        data[f"asam_{dimension}_rating"] = rated["rating"]
        data[f"asam_{dimension}_rationale"] = rated["rationale"]
    return data | extra


def test_a_reassessment_starts_from_the_last_signed_assessment_marked_carried_over(world):
    first = signed(world)
    second = services.assessment_start(client=world.client, by=world.alice)
    assert second.substances == first.substances
    assert second.needs == first.needs
    assert second.asam == first.asam
    assert second.sections["housing"] == {"situation": "Sober living house", "stable": "yes"}
    assert second.sections["medical"]["conditions"] == "Hepatitis C, treated in 2025"
    # The level of care is chosen afresh; the suggestion comes from the carried ratings.
    assert (second.chosen_level, second.suggested_level) == ("", first.suggested_level)
    assert second.carried_over == {
        "from": "assessment",
        "assessment_id": first.pk,
        "signed_on": "2026-03-03",
        "unconfirmed": ["substances", "medical", "housing", "needs", "asam"],
    }
    assert second.status == "draft" and second.version == 1
    assert world.client.timeline.filter(
        summary="Assessment started", detail="Starts from the assessment signed Mar 3, 2026."
    ).exists()


def test_a_draft_is_not_what_a_reassessment_starts_from(world):
    first = signed(world)
    draft = services.assessment_start(client=world.client, by=world.alice)
    services.assessment_save(
        assessment=draft,
        by=world.alice,
        version=1,
        **complete(ratings=(4, 4, 4, 4, 4, 4), level="4", reason="x"),
    )
    third = services.assessment_start(client=world.client, by=world.alice)
    assert third.asam == first.asam
    assert third.carried_over["assessment_id"] == first.pk


def test_the_first_assessment_carries_the_substances_and_goals_given_at_registration(world):
    world.client.primary_substances = ["alcohol", "opioids"]
    world.client.goals_in_own_words = "Get my kids back and keep a job"
    world.client.save()
    first = services.assessment_start(client=world.client, by=world.alice)
    assert [row["substance"] for row in first.substances] == ["alcohol", "opioids"]
    assert first.sections == {"goals": {"own_words": "Get my kids back and keep a job"}}
    assert first.carried_over == {"from": "registration", "unconfirmed": ["substances", "goals"]}


def test_with_nothing_to_carry_the_first_assessment_starts_blank_and_unmarked(world):
    first = services.assessment_start(client=world.client, by=world.alice)
    assert (first.substances, first.sections, first.carried_over) == ([], {}, {})


def test_confirming_or_changing_a_part_clears_its_marker_and_the_rest_stay(world):
    signed(world)
    second = services.assessment_start(client=world.client, by=world.alice)
    answers = {
        "sections": second.sections,
        "substances": second.substances,
        "needs": second.needs | {"housing": {"severity": 3, "reason": "Evicted last week"}},
        "asam": second.asam,
        "chosen_level": "",
        "level_override_reason": "",
    }
    saved = services.assessment_save(
        assessment=second, by=world.alice, version=1, confirmed=["asam"], **answers
    )
    assert saved.carried_over["unconfirmed"] == ["substances", "medical", "housing"]


def test_signing_is_not_blocked_by_unconfirmed_parts_and_the_record_keeps_them(world):
    first = signed(world)
    second = services.assessment_start(client=world.client, by=world.alice)
    done = services.assessment_save(
        assessment=second,
        by=world.alice,
        version=1,
        sign=True,
        sections=second.sections,
        substances=second.substances,
        needs=second.needs,
        asam=second.asam,
        chosen_level=first.chosen_level,
        level_override_reason="",
    )
    assert done.status == "signed"
    assert done.carried_over["unconfirmed"] == ["substances", "medical", "housing", "needs", "asam"]


def test_the_draft_shows_where_each_part_came_from_and_a_summary_before_signing(client, world):
    signed(world)
    second = services.assessment_start(client=world.client, by=world.alice)
    client.force_login(world.alice)
    url = f"/clients/{world.client.pk}/assessments/{second.pk}/edit/"
    page = client.get(url).content.decode()
    note = "Carried over from the assessment signed Mar 3, 2026 — confirm or change."
    assert page.count(note) == 1 + 5  # the page's note, then one beside each carried part
    assert 'name="confirm_needs"' in page and 'name="confirm_medical"' in page
    assert 'name="confirm_legal"' not in page  # nothing was recorded there, nothing carried
    assert "5 parts carried over and not yet confirmed:" in page
    assert (
        "Substance use, Medical history, Housing, Needs in each life area, ASAM dimensions" in page
    )

    # Saving without ticking or changing keeps the markers; ticking one confirms that one.
    assert client.post(url, form_data(second)).status_code == 302
    assert Assessment.objects.get(pk=second.pk).carried_over["unconfirmed"] == [
        "substances",
        "medical",
        "housing",
        "needs",
        "asam",
    ]
    second.refresh_from_db()
    changed = form_data(second, confirm_needs="on", s_medical_doctor="Dr. Osei")
    assert client.post(url, changed).status_code == 302
    second.refresh_from_db()
    assert second.carried_over["unconfirmed"] == ["substances", "housing", "asam"]
    assert second.sections["medical"]["doctor"] == "Dr. Osei"
    page = client.get(url).content.decode()
    assert "3 parts carried over and not yet confirmed:" in page
    assert 'name="confirm_needs"' not in page


def test_the_signed_assessment_says_what_was_signed_without_being_confirmed(client, world):
    first = signed(world)
    second = services.assessment_start(client=world.client, by=world.alice)
    needs = {domain: {"severity": 0, "reason": ""} for domain, _ in NEED_DOMAINS}
    services.assessment_save(
        assessment=second,
        by=world.alice,
        version=1,
        sign=True,
        confirmed=["substances", "medical", "housing"],
        sections=second.sections,
        substances=second.substances,
        needs=needs,
        asam=second.asam,
        chosen_level=first.chosen_level,
        level_override_reason="",
    )
    client.force_login(world.alice)
    for url in ("", "print/"):
        page = client.get(
            f"/clients/{world.client.pk}/assessments/{second.pk}/{url}"
        ).content.decode()
        assert (
            "Carried over from the assessment signed Mar 3, 2026, not confirmed before signing: "
            "ASAM dimensions."
        ) in page

"""Rough edges a case manager hit: the signed assessment reads in words and house dates, and an
instrument with no total says something meaningful on the timeline."""

from casebridge.assessments import services
from tests.assessments.test_biopsychosocial import complete


def test_the_signed_assessment_shows_choice_labels_and_house_dates_not_codes(client, world):
    assessment = services.assessment_start(client=world.client, by=world.alice)
    answers = complete()
    answers["sections"]["housing"]["substance_free"] = "no"
    answers["substances"][0] |= {"route": "oral", "last_use": "2026-03-04"}
    saved = services.assessment_save(assessment=assessment, by=world.alice, version=1, **answers)
    services.assessment_save(
        assessment=saved, by=world.alice, version=saved.version, sign=True, **answers
    )
    client.force_login(world.alice)
    for url in ("", "print/"):
        page = client.get(
            f"/clients/{world.client.pk}/assessments/{assessment.pk}/{url}"
        ).content.decode()
        assert "<td>By mouth</td>" in page and ">oral<" not in page
        assert "Mar 4, 2026" in page and "2026-03-04" not in page
        assert "<dd>No</dd>" in page and "<dd>Yes</dd>" in page and "<dd>no</dd>" not in page
        assert "<td>Opioids (heroin, fentanyl, pain pills)</td>" in page


def test_an_unknown_stored_route_is_still_shown(client, world):
    assessment = services.assessment_start(client=world.client, by=world.alice)
    answers = complete()
    answers["substances"][0] |= {"route": "patch", "last_use": ""}
    services.assessment_save(assessment=assessment, by=world.alice, version=1, **answers)
    client.force_login(world.alice)
    page = client.get(f"/clients/{world.client.pk}/assessments/{assessment.pk}/").content.decode()
    assert "<td>patch</td>" in page


def bam(**overrides):
    items = [str(i) for i in range(1, 18) if i != 7]  # 7 is asked only after drug use (6)
    return {item: 0 for item in items} | overrides


def test_a_bam_on_the_timeline_gives_its_sub_scores_not_none(world):
    services.instrument_record(
        client=world.client, by=world.alice, code="bam", answers=bam(**{"4": 2, "8": 3})
    )
    summary = world.client.timeline.get(kind="measure").summary
    assert "None" not in summary
    assert summary == "BAM: use 2, risk 3, protective 0"


def test_a_cssrs_on_the_timeline_gives_its_risk_level(world):
    answers = {"1": 1, "2": 0, "6": 0}
    services.instrument_record(client=world.client, by=world.alice, code="cssrs", answers=answers)
    summary = world.client.timeline.get(kind="measure").summary
    assert summary == "C-SSRS screener: Low risk"


def test_an_instrument_with_a_total_keeps_its_total_and_band(world):
    answers = {str(i): 1 for i in range(1, 10)}
    services.instrument_record(client=world.client, by=world.alice, code="phq9", answers=answers)
    assert world.client.timeline.get(kind="measure").summary.startswith("PHQ-9: 9 (")

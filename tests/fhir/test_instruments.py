"""Every instrument in FHIR R4, whatever the answers: its Questionnaire, and a completed
response's QuestionnaireResponse and Observation, pass an R4 validator (tests/fhir/validator.py);
the response fits its Questionnaire; results are coded with LOINC where LOINC has a code and
named in text where it has none, never with an empty coding or a null value."""

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casebridge.assessments import fhir
from casebridge.assessments.definitions import Instrument, all_instruments
from casebridge.assessments.models import InstrumentResponse
from casebridge.assessments.scoring import score
from tests.fhir.validator import LOINC, assert_answers, assert_valid, is_loinc

DEFINITIONS = fhir.every_definition()
IDS = [fhir.questionnaire_id(definition) for definition in DEFINITIONS]


def completed(definition: Instrument, answers: dict, context: dict) -> InstrumentResponse:
    """A completed instrument as the service keeps it, without the database."""
    result = score(definition, answers, context)
    return InstrumentResponse(
        pk=41,
        client_id=7,
        instrument=definition.code,
        version=definition.version,
        answers=result.answers,
        context=context,
        scores=result.scores,
        primary_score=result.primary,
        band=result.band.label if result.band else "",
        positive=result.positive,
        administered_by_id=3,
        administered_at=datetime(2026, 3, 2, 14, 30, 5, 120000, tzinfo=UTC),
    )


def highest(definition: Instrument) -> InstrumentResponse:
    """Every answer at its highest: every skip-logic question is asked."""
    return completed(
        definition,
        {item.id: max(item.values) for item in definition.items},
        {c.id: c.options[0][0] for c in definition.context},
    )


@st.composite
def answers(draw: st.DrawFn, definition: Instrument) -> tuple[dict, dict]:
    given_answers: dict[str, int] = {}
    for item in definition.items:
        # What a form sends: questions the skip logic does not ask are left out.
        if item.is_asked(given_answers):
            given_answers[item.id] = draw(st.sampled_from(sorted(item.values)))
    for item_id, other, _ in definition.consistency:
        if item_id in given_answers and other in given_answers:
            given_answers[item_id] = min(given_answers[item_id], given_answers[other])
    context = {c.id: draw(st.sampled_from([v for v, _ in c.options])) for c in definition.context}
    return given_answers, context


@pytest.mark.parametrize("definition", DEFINITIONS, ids=IDS)
def test_each_instrument_is_a_valid_r4_questionnaire(definition):
    questionnaire = fhir.questionnaire(definition)
    assert_valid(questionnaire)
    assert questionnaire["status"] == "active"
    assert questionnaire["url"] == fhir.questionnaire_url(definition.code)
    assert questionnaire["version"] == definition.version
    assert "meta" not in questionnaire, "a questionnaire holds no client data to label"
    items = {item["linkId"]: item for item in questionnaire["item"]}
    for item in definition.items:
        question = items[item.id]
        assert question["text"] == item.text and question["type"] == "choice"
        assert [o["valueCoding"]["display"] for o in question["answerOption"]] == [
            o.label for o in item.options
        ]
        assert [o["extension"][0]["valueDecimal"] for o in question["answerOption"]] == [
            item.points(o.value) for o in item.options
        ]
        if item.loinc:
            assert question["code"] == [{"system": LOINC, "code": item.loinc}]
        else:
            assert "code" not in question
        assert ("enableWhen" in question) == (item.ask_if is not None)


@pytest.mark.parametrize("definition", DEFINITIONS, ids=IDS)
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_any_completed_instrument_is_a_valid_response_and_observation(definition, data):
    given_answers, context = data.draw(answers(definition))
    response = completed(definition, given_answers, context)
    questionnaire_response = fhir.questionnaire_response(response)
    observation = fhir.observation(response)
    assert_valid(questionnaire_response)
    assert_valid(observation)
    assert_answers(questionnaire_response, fhir.questionnaire(definition))
    assert observation["derivedFrom"] == [
        {"reference": f"QuestionnaireResponse/{questionnaire_response['id']}"}
    ]
    for resource in (questionnaire_response, observation):
        assert resource["subject"] == {"reference": "Patient/7"}
        assert {label["code"] for label in resource["meta"]["security"]} == {"R", "42CFRPart2"}


@pytest.mark.parametrize("code", ["phq9", "phq2", "gad7"])
def test_response_items_carry_no_codes_and_point_at_the_questionnaire_that_does(code):
    definition = all_instruments()[code]
    questionnaire_response = fhir.questionnaire_response(highest(definition))
    assert all("code" not in item for item in questionnaire_response["item"])
    assert questionnaire_response["questionnaire"] == (
        f"urn:casebridge:instrument:{code}|{definition.version}"
    )
    coded = [item for item in fhir.questionnaire(definition)["item"] if "code" in item]
    assert len(coded) == len(definition.items)


@pytest.mark.parametrize(
    ("code", "loinc", "total"),
    [
        ("phq9", "44261-6", 27),
        ("phq2", "55758-7", 6),
        ("gad7", "70274-6", 21),
        ("auditc", "75626-2", 12),
        ("audit", "75624-7", 40),
        ("dast10", "82667-7", 9),  # item 3 reverse-scored: "yes" to every item scores 9
    ],
)
def test_totals_carry_their_loinc_code(code, loinc, total):
    observation = fhir.observation(highest(all_instruments()[code]))
    assert observation["code"]["coding"] == [{"system": LOINC, "code": loinc}]
    assert observation["valueInteger"] == total


@pytest.mark.parametrize(
    ("code", "text", "total"),
    [("cageaid", "CAGE-AID total score", 4), ("barc10", "BARC-10 total score", 60)],
)
def test_a_total_loinc_has_no_code_for_is_named_in_text(code, text, total):
    observation = fhir.observation(highest(all_instruments()[code]))
    assert observation["code"] == {"text": text}
    assert observation["valueInteger"] == total


def test_the_cssrs_reports_a_risk_level_and_its_answers_not_a_total():
    definition = all_instruments()["cssrs"]
    observation = fhir.observation(highest(definition))
    assert observation["code"]["coding"] == [{"system": LOINC, "code": "93374-7"}]
    assert observation["valueCodeableConcept"] == {"text": "High risk"}
    assert "valueInteger" not in observation
    answered = {
        c["code"]["coding"][0]["code"]: c["valueCodeableConcept"]["text"]
        for c in observation["component"]
        if "coding" in c["code"]
    }
    assert answered == {
        "93246-7": "Yes",
        "93247-5": "Yes",
        "93248-3": "Yes",
        "93249-1": "Yes",
        "93250-9": "Yes",
        "93267-3": "Yes",
        "93269-9": "Yes",
    }
    none = completed(definition, {item.id: 0 for item in definition.items}, {})
    quiet = fhir.observation(none)
    assert quiet["valueCodeableConcept"] == {"text": "No risk reported"}
    # Questions 3-5 and 6b are not asked after "no": they are not reported as answered.
    assert len([c for c in quiet["component"] if "coding" in c["code"]]) == 3


def test_the_bam_reports_its_three_sub_scores_and_no_total():
    observation = fhir.observation(highest(all_instruments()["bam"]))
    assert not any(key.startswith("value") for key in observation)
    assert observation["code"] == {"text": "BAM scores"}
    assert {c["code"]["text"]: c["valueInteger"] for c in observation["component"]} == {
        "BAM use": 12,
        "BAM risk factors": 24,
        "BAM protective factors": 24,
    }


@pytest.mark.parametrize("definition", DEFINITIONS, ids=IDS)
def test_every_sub_score_besides_the_total_is_a_component(definition):
    observation = fhir.observation(highest(definition))
    texts = {c["code"]["text"] for c in observation.get("component", [])}
    for name, label in definition.score_labels.items():
        if name != definition.primary:
            assert f"{definition.name} {label.lower()}" in texts


def test_every_loinc_code_in_the_definitions_is_well_formed():
    codes = [
        code
        for definition in DEFINITIONS
        for code in [definition.loinc_panel, definition.loinc_total]
        + [item.loinc for item in definition.items]
        if code
    ]
    assert codes and all(is_loinc(code) for code in codes), codes

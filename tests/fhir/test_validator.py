"""The test validator refuses what the outside check's R4 validators refused, so a resource that
passes it is not merely well-typed: each shape below is one the app used to render."""

import pytest

from tests.fhir.validator import is_loinc, problems

SECURITY = {
    "security": [
        {"system": "http://terminology.hl7.org/CodeSystem/v3-Confidentiality", "code": "R"}
    ]
}
PATIENT = {"reference": "Patient/1"}


@pytest.mark.parametrize(
    ("resource", "reason"),
    [
        (
            {
                "resourceType": "QuestionnaireResponse",
                "status": "completed",
                "item": [
                    {
                        "linkId": "9",
                        "code": [{"system": "http://loinc.org", "code": "44260-8"}],
                        "answer": [{"valueCoding": {"code": "0"}}],
                    }
                ],
            },
            "extra fields not permitted",
        ),
        (
            {
                "resourceType": "Observation",
                "status": "final",
                "code": {"coding": [], "text": "BAM total score"},
                "subject": PATIENT,
                "valueInteger": None,
            },
            "null",
        ),
        (
            {
                "resourceType": "Observation",
                "status": "final",
                "code": {"coding": [], "text": "DAST-10 total score"},
                "subject": PATIENT,
                "valueInteger": 3,
            },
            "empty array",
        ),
        (
            {
                "resourceType": "Goal",
                "lifecycleStatus": "active",
                "achievementStatus": {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/goal-achievement",
                            "code": "not-achieving",
                        }
                    ]
                },
                "description": {"text": "A home"},
                "subject": PATIENT,
            },
            "'not-achieving' is not a code of",
        ),
        (
            {
                "resourceType": "CarePlan",
                "meta": SECURITY,
                "status": "draft",
                "intent": "plan",
                "subject": PATIENT,
                "contained": [],
                "goal": [],
                "activity": [],
            },
            "empty array",
        ),
        (
            {
                "resourceType": "CarePlan",
                "status": "finished",
                "intent": "plan",
                "subject": PATIENT,
            },
            "'finished' is not one of",
        ),
        (
            {
                "resourceType": "Observation",
                "status": "final",
                "code": {"coding": [{"system": "http://loinc.org", "code": "44261-5"}]},
                "subject": PATIENT,
                "valueInteger": 3,
            },
            "not a LOINC code",
        ),
        (
            {
                "resourceType": "CarePlan",
                "status": "active",
                "intent": "plan",
                "subject": PATIENT,
                "contained": [
                    {
                        "resourceType": "Goal",
                        "id": "g1",
                        "lifecycleStatus": "active",
                        "description": {"text": "x"},
                        "subject": PATIENT,
                    }
                ],
            },
            "dom-3",
        ),
        (
            {
                "resourceType": "Questionnaire",
                "status": "active",
                "item": [
                    {"linkId": "1", "type": "choice"},
                    {"linkId": "1", "type": "choice"},
                ],
            },
            "que-2",
        ),
    ],
)
def test_the_validator_refuses_shapes_the_outside_check_refused(resource, reason):
    found = problems(resource)
    assert any(reason in problem for problem in found), found


def test_loinc_codes_are_checked_by_their_check_digit():
    assert all(is_loinc(code) for code in ["44261-6", "82667-7", "93374-7", "72109-2", "LA33-6"])
    assert not any(is_loinc(code) for code in ["44261-7", "82667-6", "12345", "abc"])

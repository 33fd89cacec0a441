"""FHIR R4 shapes of a completed instrument: a QuestionnaireResponse with the answers and an
Observation with the score, coded with LOINC where the instrument has codes. The mapping lives
here only; the interoperability capability serves these."""

from typing import Any

from casebridge.assessments.definitions import instrument as get_instrument
from casebridge.assessments.models import InstrumentResponse
from casebridge.clients.part2 import fhir_meta_security

LOINC = "http://loinc.org"


def _coding(code: str | None, display: str) -> list[dict[str, str]]:
    return [{"system": LOINC, "code": code, "display": display}] if code else []


def questionnaire_response(response: InstrumentResponse) -> dict[str, Any]:
    definition = get_instrument(response.instrument)
    return {
        "resourceType": "QuestionnaireResponse",
        "id": f"instrument-{response.pk}",
        "meta": fhir_meta_security(),
        "questionnaire": f"urn:casebridge:instrument:{definition.code}|{response.version}",
        "status": "completed",
        "subject": {"reference": f"Patient/{response.client_id}"},
        "authored": response.administered_at.isoformat(),
        "item": [
            {
                "linkId": item.id,
                "text": item.text,
                **({"code": _coding(item.loinc, item.text)} if item.loinc else {}),
                "answer": [
                    {
                        "valueCoding": {
                            "code": str(response.answers[item.id]),
                            "display": next(
                                o.label
                                for o in item.options
                                if o.value == response.answers[item.id]
                            ),
                        }
                    }
                ],
            }
            for item in definition.items
            if item.id in response.answers
        ],
    }


def observation(response: InstrumentResponse) -> dict[str, Any]:
    definition = get_instrument(response.instrument)
    code = {
        "coding": _coding(definition.loinc_total, f"{definition.name} total score"),
        "text": f"{definition.name} total score",
    }
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "id": f"instrument-score-{response.pk}",
        "meta": fhir_meta_security(),
        "status": "final",
        "category": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                        "code": "survey",
                    }
                ]
            }
        ],
        "code": code,
        "subject": {"reference": f"Patient/{response.client_id}"},
        "effectiveDateTime": response.administered_at.isoformat(),
        "valueInteger": response.primary_score,
        "derivedFrom": [{"reference": f"QuestionnaireResponse/instrument-{response.pk}"}],
    }
    if response.band:
        resource["interpretation"] = [{"text": response.band}]
    return resource

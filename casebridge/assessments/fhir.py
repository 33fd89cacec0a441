"""FHIR R4 shapes of the instruments and of a completed one.

Each instrument (each version of its definition) is a Questionnaire: its items with their LOINC
codes where LOINC has them, the answer options with the points each scores, skip logic as
enableWhen. A completed instrument is a QuestionnaireResponse pointing at that Questionnaire
(canonical url|version; items carry no codes, R4 has none there) and an Observation of what the
instrument yields: a total, a risk level (the C-SSRS), or only sub-scores (the BAM), sub-scores
as components. LOINC codes come from the definitions, which record only codes checked against
LOINC; where there is none the concept is named in text, never with an empty coding. The
mapping lives here only; casebridge.assessments.api serves it.
"""

import json
from functools import cache
from typing import Any

from casebridge.assessments.definitions import INSTRUMENT_DIR, Instrument, Item, parse
from casebridge.assessments.models import InstrumentResponse
from casebridge.clients.fhir import patient_reference
from casebridge.clients.part2 import fhir_meta_security

LOINC = "http://loinc.org"
SURVEY = {
    "coding": [
        {
            "system": "http://terminology.hl7.org/CodeSystem/observation-category",
            "code": "survey",
            "display": "Survey",
        }
    ]
}
# R4 core extension for the score an answer option carries (context: answerOption, Coding).
ORDINAL_VALUE = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
# The stem ("Over the last 2 weeks ...") is a display item; no instrument's item has this id.
STEM_LINK_ID = "stem"


@cache
def _versions() -> dict[tuple[str, str], tuple[Instrument, dict[str, Any]]]:
    """Every version of every instrument with its LOINC block, read once. The definitions module
    keeps the newest version of each; a response points at the version it was given on."""
    found: dict[tuple[str, str], tuple[Instrument, dict[str, Any]]] = {}
    for path in sorted(INSTRUMENT_DIR.glob("*.json")):
        raw = json.loads(path.read_text(encoding="utf-8"))
        definition = parse(raw)
        found[(definition.code, definition.version)] = (definition, raw.get("loinc") or {})
    return found


def every_definition() -> list[Instrument]:
    return [definition for definition, _ in _versions().values()]


def definition_of(code: str, version: str) -> Instrument | None:
    found = _versions().get((code, version))
    return found[0] if found else None


def _loinc(definition: Instrument) -> dict[str, Any]:
    return _versions()[(definition.code, definition.version)][1]


def _definition_for(response: InstrumentResponse) -> Instrument:
    definition = definition_of(response.instrument, response.version)
    if definition is None:
        raise LookupError(f"No definition of {response.instrument} version {response.version}")
    return definition


# --- Ids and canonical urls: the API serves resources under these ------------------------------


def questionnaire_url(code: str) -> str:
    """An instrument's canonical url, the same for every version (the version is separate). The
    namespace earlier exports used, so references partners already hold keep their meaning."""
    return f"urn:casebridge:instrument:{code}"


def questionnaire_id(definition: Instrument) -> str:
    return f"{definition.code}-{definition.version}"


def definition_by_id(questionnaire: str) -> Instrument | None:
    code, _, version = questionnaire.rpartition("-")
    return definition_of(code, version) if code else None


def response_id(response: InstrumentResponse) -> str:
    return f"instrument-{response.pk}"


def observation_id(response: InstrumentResponse) -> str:
    return f"instrument-score-{response.pk}"


# --- Shared pieces ----------------------------------------------------------------------------


def _concept(code: str | None, text: str) -> dict[str, Any]:
    """A LOINC-coded concept, or one named in text where LOINC has no code for it. Our words go
    in `text`, not in the coding's `display`, which validators hold to LOINC's own name."""
    if code:
        return {"coding": [{"system": LOINC, "code": code}], "text": text}
    return {"text": text}


def _answer_system(definition: Instrument, item_id: str) -> str:
    # Each item's answers are their own small code system: the same value means different
    # answers on different items (AUDIT item 1's 0 is "Never", item 2's is "1 or 2").
    return f"{questionnaire_url(definition.code)}:item:{item_id}"


def _answer(definition: Instrument, item: Item, value: int) -> dict[str, Any]:
    coding: dict[str, Any] = {"system": _answer_system(definition, item.id), "code": str(value)}
    label = next((option.label for option in item.options if option.value == value), None)
    if label:
        coding["display"] = label
    return coding


def _context_answer(definition: Instrument, question_id: str, value: str) -> dict[str, Any]:
    question = next(c for c in definition.context if c.id == question_id)
    coding = {"system": _answer_system(definition, f"context-{question_id}"), "code": value}
    label = dict(question.options).get(value)
    return coding | ({"display": label} if label else {})


# --- Questionnaire -----------------------------------------------------------------------------


def questionnaire(definition: Instrument) -> dict[str, Any]:
    """The instrument as a Questionnaire: no client data, no security label."""
    items: list[dict[str, Any]] = []
    if definition.stem:
        items.append({"linkId": STEM_LINK_ID, "text": definition.stem, "type": "display"})
    by_id = {item.id: item for item in definition.items}
    for item in definition.items:
        entry: dict[str, Any] = {"linkId": item.id}
        if item.loinc:
            entry["code"] = _concept(item.loinc, item.text)["coding"]
        entry |= {"text": item.text, "type": "choice", "required": True}
        if item.ask_if:
            # Asked when any condition holds: each answer that meets one is an "=" condition.
            conditions = [
                {
                    "question": other_id,
                    "operator": "=",
                    "answerCoding": _answer(definition, by_id[other_id], v),
                }
                for other_id, at_least in item.ask_if
                for v in sorted(by_id[other_id].values)
                if v >= at_least
            ]
            entry["enableWhen"] = conditions
            if len(conditions) > 1:
                entry["enableBehavior"] = "any"
        entry["answerOption"] = [
            {
                "extension": [{"url": ORDINAL_VALUE, "valueDecimal": item.points(option.value)}],
                "valueCoding": _answer(definition, item, option.value),
            }
            for option in item.options
        ]
        items.append(entry)
    for question in definition.context:
        items.append(
            {
                "linkId": f"context-{question.id}",
                "text": question.label,
                "type": "choice",
                "required": True,
                "answerOption": [
                    {"valueCoding": _context_answer(definition, question.id, value)}
                    for value, _ in question.options
                ],
            }
        )
    resource: dict[str, Any] = {
        "resourceType": "Questionnaire",
        "id": questionnaire_id(definition),
        "url": questionnaire_url(definition.code),
        "version": definition.version,
        "name": "".join(ch for ch in definition.name if ch.isascii() and ch.isalnum()),
        "title": definition.name,
        "status": "active",
        "subjectType": ["Patient"],
        "description": definition.source,
        "copyright": definition.licence,
    }
    if definition.loinc_panel:
        resource["code"] = _concept(definition.loinc_panel, definition.name)["coding"]
    resource["item"] = items
    return resource


# --- A completed instrument --------------------------------------------------------------------


def questionnaire_response(response: InstrumentResponse) -> dict[str, Any]:
    definition = _definition_for(response)
    items: list[dict[str, Any]] = [
        {
            "linkId": item.id,
            "text": item.text,
            "answer": [{"valueCoding": _answer(definition, item, response.answers[item.id])}],
        }
        for item in definition.items
        if item.id in response.answers
    ]
    items += [
        {
            "linkId": f"context-{question.id}",
            "text": question.label,
            "answer": [
                {
                    "valueCoding": _context_answer(
                        definition, question.id, response.context[question.id]
                    )
                }
            ],
        }
        for question in definition.context
        if question.id in response.context
    ]
    resource: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "id": response_id(response),
        "meta": fhir_meta_security(),
        "questionnaire": f"{questionnaire_url(definition.code)}|{response.version}",
        "status": "completed",
        "subject": patient_reference(response.client_id),
        "authored": response.administered_at.isoformat(),
    }
    if response.completed_by_client:
        resource["source"] = patient_reference(response.client_id)
    if items:
        resource["item"] = items
    return resource


def observation(response: InstrumentResponse) -> dict[str, Any]:
    """What the instrument yields. A total is the value; an instrument judged by its answers
    (the C-SSRS) has its risk level as the value and the answers as components; one with only
    sub-scores (the BAM) has no value. Every sub-score besides the total is a component."""
    definition = _definition_for(response)
    loinc = _loinc(definition)
    value: dict[str, Any] = {}
    if definition.primary and response.primary_score is not None:
        code = _concept(definition.loinc_total, f"{definition.name} total score")
        value = {"valueInteger": response.primary_score}
    elif definition.levels:
        code = _concept(loinc.get("level"), f"{definition.name} risk level")
        if response.band:
            value = {"valueCodeableConcept": {"text": response.band}}
    else:
        code = {"text": f"{definition.name} scores"}
    components = [
        {
            "code": _concept(
                (loinc.get("scores") or {}).get(name), f"{definition.name} {label.lower()}"
            ),
            "valueInteger": response.scores[name],
        }
        for name, label in definition.score_labels.items()
        if name != definition.primary and isinstance(response.scores.get(name), int)
    ]
    if definition.levels:
        # The level follows from the answers themselves, so they travel with it.
        for item in definition.items:
            if item.id in response.answers:
                answer = _answer(definition, item, response.answers[item.id])
                components.append(
                    {
                        "code": _concept(item.loinc, item.text),
                        "valueCodeableConcept": {
                            "coding": [answer],
                            **({"text": answer["display"]} if "display" in answer else {}),
                        },
                    }
                )
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "id": observation_id(response),
        "meta": fhir_meta_security(),
        "status": "final",
        "category": [SURVEY],
        "code": code,
        "subject": patient_reference(response.client_id),
        "effectiveDateTime": response.administered_at.isoformat(),
        **value,
    }
    if response.band and "valueCodeableConcept" not in value:
        resource["interpretation"] = [{"text": response.band}]
    if components:
        resource["component"] = components
    resource["derivedFrom"] = [{"reference": f"QuestionnaireResponse/{response_id(response)}"}]
    if not value and not components:
        # Nothing to report is said in FHIR's own words, never with a null value.
        resource["dataAbsentReason"] = {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/data-absent-reason",
                    "code": "not-performed",
                }
            ]
        }
    return resource

"""FHIR R4 validation for the tests: what a partner system's validator would reject.

Two layers. First the `fhir.resources` 6.2 models, which are FHIR R4 (4.0.1) itself, generated
from the specification: every element, its type and cardinality, the formats of primitives
(ids, dates, codes, uris), one value per choice element, and any element R4 does not define is
refused (a QuestionnaireResponse item with a `code` fails here). The library was chosen over
the official fhir.schema.json with `jsonschema` because it is a maintained Python package that
installs from PyPI like every other dependency, and its models carry the required code lists
too; the 6.2 line is the last whose models are R4 rather than R4B or R5.

Then the rules those models leave out and that the HL7 validator (and HAPI, which uses it)
enforces, written out here from the R4 specification:
- FHIR JSON: no null, no empty array, object or string anywhere (json.html#json);
- codes from required bindings (the models list them but do not check them);
- codes in the HL7 code systems the app uses, e.g. goal-achievement;
- LOINC codes well formed with their check digit (a guessed code usually fails it);
- references well formed, and contained resources referenced (dom-3) with no nesting or
  security labels of their own (dom-2, dom-5);
- the invariants of the resources the app renders: obs-6, obs-7, que-1, que-2, que-6, que-7,
  que-12, qrs-1, cpl-3;
- a QuestionnaireResponse against its Questionnaire: the same items in the same order with the
  same text, answers among the item's options, enabled required items answered.
"""

import json
import re
from typing import Any

from fhir.resources import construct_fhir_element
from fhir.resources.fhirabstractmodel import FHIRAbstractModel
from pydantic import BaseModel

LOINC = "http://loinc.org"

# Code systems of HL7's terminology the app uses, with every code R4 defines in them.
HL7_CODES = {
    # http://hl7.org/fhir/R4/codesystem-goal-achievement.html
    "http://terminology.hl7.org/CodeSystem/goal-achievement": {
        "in-progress",
        "improving",
        "worsening",
        "no-change",
        "achieved",
        "sustaining",
        "not-achieved",
        "no-progress",
        "not-attainable",
    },
    # http://hl7.org/fhir/R4/codesystem-observation-category.html
    "http://terminology.hl7.org/CodeSystem/observation-category": {
        "social-history",
        "vital-signs",
        "imaging",
        "laboratory",
        "procedure",
        "survey",
        "exam",
        "therapy",
        "activity",
    },
    # http://terminology.hl7.org/CodeSystem/v3-Confidentiality
    "http://terminology.hl7.org/CodeSystem/v3-Confidentiality": {"U", "L", "M", "N", "R", "V"},
}

# Required bindings whose code list the models cut short (ending "+"), from the R4 pages.
REQUIRED_CODES = {
    ("Observation", "status"): {
        "registered",
        "preliminary",
        "final",
        "amended",
        "corrected",
        "cancelled",
        "entered-in-error",
        "unknown",
    },
    ("QuestionnaireItem", "type"): {
        "group",
        "display",
        "boolean",
        "decimal",
        "integer",
        "date",
        "dateTime",
        "time",
        "string",
        "text",
        "url",
        "choice",
        "open-choice",
        "attachment",
        "reference",
        "quantity",
    },
}

RESOURCE_TYPES = {
    "Patient",
    "Questionnaire",
    "QuestionnaireResponse",
    "Observation",
    "CarePlan",
    "Goal",
    "Practitioner",
    "Organization",
}
RELATIVE_REFERENCE = re.compile(r"^([A-Z][A-Za-z]+)/([A-Za-z0-9\-.]{1,64})$")
LOINC_CODE = re.compile(r"^(\d{1,7})-(\d)$")
LOINC_ANSWER = re.compile(r"^LA\d{1,6}-\d$")


class Invalid(AssertionError):
    pass


def loinc_check_digit(number: str) -> int:
    """LOINC's mod 10 check digit (LOINC Users' Guide, appendix on check digits)."""
    digits = number[::-1]
    odd = int(digits[0::2][::-1]) * 2
    even = digits[1::2][::-1]
    total = sum(int(d) for d in even + str(odd))
    return (10 - total % 10) % 10


def is_loinc(code: str) -> bool:
    match = LOINC_CODE.match(code)
    if match:
        return loinc_check_digit(match.group(1)) == int(match.group(2))
    return bool(LOINC_ANSWER.match(code))


def problems(resource: dict[str, Any]) -> list[str]:
    """Every reason an R4 validator would reject `resource`; empty when it is valid."""
    found: list[str] = []
    _json_rules(resource, resource.get("resourceType", "?"), found)
    try:
        model = construct_fhir_element(resource["resourceType"], resource)
    except Exception as error:  # pydantic's ValidationError, or an unknown resource type
        found.append(f"R4 model: {error}")
        return found
    _required_codes(model, resource["resourceType"], found)
    if json.loads(model.json()) != resource:
        found.append("R4 model: the resource does not survive a round trip through the model")
    _codings(resource, resource["resourceType"], found)
    _references(resource, found)
    _invariants(resource, found)
    return found


def assert_valid(resource: dict[str, Any]) -> None:
    found = problems(resource)
    if found:
        raise Invalid(
            f"{resource.get('resourceType')} {resource.get('id')} is not valid R4:\n- "
            + "\n- ".join(found)
        )


def _json_rules(value: Any, where: str, found: list[str]) -> None:
    if value is None:
        found.append(f"{where}: null (FHIR JSON leaves an element out instead)")
    elif isinstance(value, dict):
        if not value:
            found.append(f"{where}: empty object")
        for key, inner in value.items():
            _json_rules(inner, f"{where}.{key}", found)
    elif isinstance(value, list):
        if not value:
            found.append(f"{where}: empty array (FHIR JSON leaves an element out instead)")
        for index, inner in enumerate(value):
            _json_rules(inner, f"{where}[{index}]", found)
    elif isinstance(value, str) and not value.strip():
        found.append(f"{where}: empty string")


def _required_codes(model: BaseModel, where: str, found: list[str]) -> None:
    for name, field in model.__fields__.items():
        value = getattr(model, name)
        if value is None:
            continue
        allowed = field.field_info.extra.get("enum_values")
        if allowed and "+" in allowed:
            key = (type(model).__name__, name)
            if key not in REQUIRED_CODES:
                found.append(f"{where}.{name}: add the R4 codes of this element to REQUIRED_CODES")
                continue
            allowed = REQUIRED_CODES[key]
        values = value if isinstance(value, list) else [value]
        for inner in values:
            if allowed and isinstance(inner, str) and inner not in allowed:
                found.append(f"{where}.{name}: {inner!r} is not one of {sorted(allowed)}")
            if isinstance(inner, FHIRAbstractModel):
                _required_codes(inner, f"{where}.{name}", found)


def _codings(value: Any, where: str, found: list[str]) -> None:
    if isinstance(value, dict):
        system, code = value.get("system"), value.get("code")
        if isinstance(system, str) and isinstance(code, str):
            if system == LOINC and not is_loinc(code):
                found.append(f"{where}: {code!r} is not a LOINC code (check digit)")
            if system in HL7_CODES and code not in HL7_CODES[system]:
                found.append(f"{where}: {code!r} is not a code of {system}")
        for key, inner in value.items():
            _codings(inner, f"{where}.{key}", found)
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            _codings(inner, f"{where}[{index}]", found)


def _all_references(value: Any) -> list[str]:
    if isinstance(value, dict):
        own = [value["reference"]] if isinstance(value.get("reference"), str) else []
        return own + [
            ref
            for key, inner in value.items()
            if key != "contained"
            for ref in _all_references(inner)
        ]
    if isinstance(value, list):
        return [ref for inner in value for ref in _all_references(inner)]
    return []


def _references(resource: dict[str, Any], found: list[str]) -> None:
    contained = resource.get("contained", [])
    contained_ids = {inner.get("id") for inner in contained}
    references = _all_references(resource) + [
        ref for inner in contained for ref in _all_references(inner)
    ]
    for reference in references:
        if reference.startswith("#"):
            if reference[1:] not in contained_ids:
                found.append(f"reference {reference!r} names no contained resource")
            continue
        match = RELATIVE_REFERENCE.match(reference)
        if not match or match.group(1) not in RESOURCE_TYPES:
            found.append(f"reference {reference!r} is not Type/id")
    for inner in contained:
        if f"#{inner.get('id')}" not in references:
            found.append(f"dom-3: contained {inner.get('id')} is not referenced")
        if "contained" in inner:
            found.append(f"dom-2: contained {inner.get('id')} contains resources")
        if "security" in inner.get("meta", {}):
            found.append(f"dom-5: contained {inner.get('id')} carries a security label")
        found.extend(f"contained {inner.get('id')}: {p}" for p in problems(inner))


def _invariants(resource: dict[str, Any], found: list[str]) -> None:
    kind = resource["resourceType"]
    if kind == "Observation":
        has_value = any(key.startswith("value") for key in resource)
        if has_value and "dataAbsentReason" in resource:
            found.append("obs-6: dataAbsentReason with a value")
        if not has_value and "component" not in resource and "dataAbsentReason" not in resource:
            found.append("Observation has no value, no components and no dataAbsentReason")
        for component in resource.get("component", []):
            if component["code"] == resource["code"] and has_value:
                found.append("obs-7: a component has the observation's own code")
            if not any(key.startswith("value") for key in component):
                found.append(f"component {component['code']} has no value")
    elif kind == "Questionnaire":
        _questionnaire_items(resource.get("item", []), found)
    elif kind == "QuestionnaireResponse":
        for item in _walk(resource.get("item", [])):
            if ("answer" in item) == ("item" in item):
                found.append(f"qrs-1: item {item['linkId']} needs answers or items, not both")
    elif kind == "CarePlan":
        for activity in resource.get("activity", []):
            if "reference" in activity and "detail" in activity:
                found.append("cpl-3: an activity has both a reference and a detail")


def _walk(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [found for item in items for found in [item, *_walk(item.get("item", []))]]


def _questionnaire_items(items: list[dict[str, Any]], found: list[str]) -> None:
    every = _walk(items)
    link_ids = [item["linkId"] for item in every]
    if len(link_ids) != len(set(link_ids)):
        found.append("que-2: linkIds repeat")
    by_id = {item["linkId"]: item for item in every}
    for item in every:
        kind = item["type"]
        if kind == "display" and ("item" in item or "required" in item or "repeats" in item):
            found.append(f"que-1/que-6: display item {item['linkId']} has items or is required")
        if kind == "group" and "item" not in item:
            found.append(f"que-1: group {item['linkId']} has no items")
        if "answerOption" in item and kind not in {"choice", "open-choice", "integer", "date"}:
            found.append(f"que-5: item {item['linkId']} of type {kind} has answer options")
        conditions = item.get("enableWhen", [])
        if len(conditions) > 1 and "enableBehavior" not in item:
            found.append(f"que-12: item {item['linkId']} has conditions but no enableBehavior")
        for condition in conditions:
            question = by_id.get(condition["question"])
            if question is None:
                found.append(f"item {item['linkId']} depends on a question that is not there")
                continue
            answer = [key for key in condition if key.startswith("answer")]
            expected = {"choice": "answerCoding", "open-choice": "answerCoding"}.get(
                question["type"]
            )
            if condition["operator"] == "exists":
                expected = "answerBoolean"
            if expected and answer != [expected]:
                found.append(f"que-7: item {item['linkId']} compares {answer} with {expected}")
            if expected == "answerCoding" and condition["answerCoding"] not in [
                option["valueCoding"] for option in question.get("answerOption", [])
            ]:
                found.append(f"item {item['linkId']} depends on an answer the question lacks")


def response_problems(response: dict[str, Any], questionnaire: dict[str, Any]) -> list[str]:
    """What a validator that has the Questionnaire finds wrong with a response to it."""
    found: list[str] = []
    if response.get("questionnaire") != f"{questionnaire['url']}|{questionnaire['version']}":
        found.append("the response names another questionnaire")
    asked = {item["linkId"]: item for item in _walk(questionnaire.get("item", []))}
    order = list(asked)
    answers: dict[str, dict[str, Any]] = {}
    positions = []
    for item in _walk(response.get("item", [])):
        question = asked.get(item["linkId"])
        if question is None:
            found.append(f"item {item['linkId']} is not in the questionnaire")
            continue
        positions.append(order.index(item["linkId"]))
        if item.get("text") != question.get("text"):
            found.append(f"item {item['linkId']}: the text differs from the questionnaire's")
        for answer in item.get("answer", []):
            options = [option["valueCoding"] for option in question.get("answerOption", [])]
            if answer.get("valueCoding") not in options:
                found.append(f"item {item['linkId']}: {answer} is not one of its options")
            answers[item["linkId"]] = answer.get("valueCoding", {})
    if positions != sorted(positions):
        found.append("the items are not in the questionnaire's order")
    for link_id, question in asked.items():
        enabled = _enabled(question, answers)
        if question.get("required") and enabled and link_id not in answers:
            found.append(f"required item {link_id} is not answered")
        if not enabled and link_id in answers:
            found.append(f"item {link_id} is answered though the questionnaire skips it")
    return found


def _enabled(question: dict[str, Any], answers: dict[str, dict[str, Any]]) -> bool:
    conditions = question.get("enableWhen", [])
    if not conditions:
        return True
    met = [
        answers.get(condition["question"]) == condition["answerCoding"]
        for condition in conditions
        if condition["operator"] == "="
    ]
    return any(met) if question.get("enableBehavior") == "any" else all(met)


def assert_answers(response: dict[str, Any], questionnaire: dict[str, Any]) -> None:
    found = response_problems(response, questionnaire)
    if found:
        raise Invalid("The response does not fit its questionnaire:\n- " + "\n- ".join(found))

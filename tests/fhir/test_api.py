"""The FHIR endpoints: each instrument's Questionnaire for anyone signed in; a completed
instrument's QuestionnaireResponse and Observation for those who may read clinical content,
valid R4 for every instrument, audited, "not found" outside reach. Every reference between the
resources names something these endpoints serve."""

import pytest
from django.urls import reverse

from casebridge.assessments import fhir
from casebridge.assessments.definitions import all_instruments
from casebridge.assessments.services import instrument_record
from casebridge.audit.models import AuditEvent
from casebridge.plans import fhir as plan_fhir
from casebridge.plans import queries as plan_queries
from tests.fhir.validator import assert_answers, assert_valid
from tests.plans.helpers import ready_plan, sign_all

CODES = sorted(all_instruments())


def record(world, code, client=None):
    definition = all_instruments()[code]
    return instrument_record(
        client=client or world.client,
        by=world.alice,
        code=code,
        answers={item.id: max(item.values) for item in definition.items},
        context={c.id: c.options[-1][0] for c in definition.context},
    )


def measure_url(name, client_id, response_id):
    return reverse(name, kwargs={"client_id": client_id, "response_id": response_id})


def resolve(http, reference, client_id):
    """GET what a reference names, through the endpoint that serves that resource type."""
    kind, _, resource_id = reference.partition("/")
    if kind == "Patient":
        url = reverse("api_patient_fhir", kwargs={"client_id": int(resource_id)})
    elif kind == "QuestionnaireResponse":
        url = measure_url(
            "api_measure_response_fhir", client_id, int(resource_id.removeprefix("instrument-"))
        )
    elif kind == "CarePlan":
        url = reverse(
            "api_plan_fhir",
            kwargs={"client_id": client_id, "plan_id": int(resource_id.removeprefix("care-plan-"))},
        )
    else:
        raise AssertionError(f"No endpoint serves {reference}")
    response = http.get(url)
    assert response.status_code == 200, reference
    served = response.json()
    assert (served["resourceType"], served["id"]) == (kind, resource_id)
    return served


def questionnaire_for(http, canonical):
    """The Questionnaire a response's `questionnaire` (url|version) names, from the endpoint."""
    url, _, version = canonical.partition("|")
    code = url.removeprefix("urn:casebridge:instrument:")
    response = http.get(
        reverse("api_questionnaire_fhir", kwargs={"questionnaire_id": f"{code}-{version}"})
    )
    assert response.status_code == 200
    questionnaire = response.json()
    assert (questionnaire["url"], questionnaire["version"]) == (url, version)
    return questionnaire


@pytest.mark.parametrize("code", CODES)
def test_every_completed_instrument_is_served_as_valid_r4_with_references_that_resolve(
    client, world, code
):
    saved = record(world, code)
    client.force_login(world.alice)
    answers = client.get(measure_url("api_measure_response_fhir", world.client.pk, saved.pk))
    result = client.get(measure_url("api_measure_observation_fhir", world.client.pk, saved.pk))
    for response in (answers, result):
        assert response.status_code == 200
        assert response["Content-Type"] == "application/fhir+json"
        assert_valid(response.json())
    questionnaire_response, observation = answers.json(), result.json()
    questionnaire = questionnaire_for(client, questionnaire_response["questionnaire"])
    assert_valid(questionnaire)
    assert_answers(questionnaire_response, questionnaire)
    assert resolve(client, observation["derivedFrom"][0]["reference"], world.client.pk) == (
        questionnaire_response
    )
    for resource in (questionnaire_response, observation):
        patient = resolve(client, resource["subject"]["reference"], world.client.pk)
        assert patient["identifier"][0]["value"] == world.client.case_number


def test_a_care_plans_references_resolve_to_served_resources(client, world):
    plan = sign_all(ready_plan(world), world)
    client.force_login(world.alice)
    resource = resolve(client, f"CarePlan/care-plan-{plan.pk}", world.client.pk)
    assert resource == plan_fhir.care_plan(
        plan, plan_queries.plan_tree(plan), plan_queries.latest_progress(plan)
    )
    resolve(client, resource["subject"]["reference"], world.client.pk)
    for goal in resource["contained"]:
        resolve(client, goal["subject"]["reference"], world.client.pk)


@pytest.mark.parametrize("name", ["api_measure_response_fhir", "api_measure_observation_fhir"])
@pytest.mark.parametrize(
    ("person", "status"),
    [("alice", 200), ("sue", 200), ("cody", 404), ("bob", 404), ("charlie", 404), ("aud", 404)],
)
def test_completed_instruments_need_the_read_clinical_action(client, world, name, person, status):
    saved = record(world, "phq9")
    client.force_login(getattr(world, person))
    assert client.get(measure_url(name, world.client.pk, saved.pk)).status_code == status


@pytest.mark.parametrize("name", ["api_measure_response_fhir", "api_measure_observation_fhir"])
def test_a_response_is_found_only_under_its_own_client(client, world, name):
    other = record(world, "phq9", client=world.engagement_client)
    client.force_login(world.alice)
    assert client.get(measure_url(name, world.client.pk, other.pk)).status_code == 404
    assert client.get(measure_url(name, world.client.pk, 999999)).status_code == 404
    assert client.get(measure_url(name, world.engagement_client.pk, other.pk)).status_code == 200


@pytest.mark.parametrize("name", ["api_measure_response_fhir", "api_measure_observation_fhir"])
def test_signed_out_callers_get_401(client, world, name):
    saved = record(world, "phq9")
    assert client.get(measure_url(name, world.client.pk, saved.pk)).status_code == 401


def test_serving_a_completed_instrument_is_audited_with_the_record_it_read(client, world):
    saved = record(world, "gad7")
    client.force_login(world.sue)
    client.get(measure_url("api_measure_observation_fhir", world.client.pk, saved.pk))
    event = AuditEvent.objects.get(
        actor=world.sue, object_type="instrument_response", object_id=str(saved.pk)
    )
    assert event.action == "view" and event.client_id == world.client.pk
    assert event.changes == {"as": "FHIR Observation"}


@pytest.mark.parametrize("person", ["alice", "cody", "charlie", "ada", "aud"])
def test_questionnaires_hold_no_client_data_and_are_served_to_anyone_signed_in(
    client, world, person
):
    client.force_login(getattr(world, person))
    for definition in fhir.every_definition():
        questionnaire_id = fhir.questionnaire_id(definition)
        response = client.get(
            reverse("api_questionnaire_fhir", kwargs={"questionnaire_id": questionnaire_id})
        )
        assert response.status_code == 200
        assert response["Content-Type"] == "application/fhir+json"
        assert response.json() == fhir.questionnaire(definition)


def test_questionnaires_need_sign_in_and_unknown_ones_are_not_found(client, world):
    url = reverse("api_questionnaire_fhir", kwargs={"questionnaire_id": "phq9-1"})
    assert client.get(url).status_code == 401
    client.force_login(world.alice)
    for unknown in ["phq9-99", "nothing-1", "phq9", "-1"]:
        response = client.get(
            reverse("api_questionnaire_fhir", kwargs={"questionnaire_id": unknown})
        )
        assert response.status_code == 404

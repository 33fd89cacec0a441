"""Instruments in FHIR for outside systems: each instrument as a Questionnaire (no client data,
but only for people signed in), and a completed instrument as its QuestionnaireResponse and
Observation, which need the `read_clinical` action on the client. The same sign-in, access
policy and audit as every FHIR endpoint (casebridge.clients.api)."""

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_http_methods

from casebridge.access.policy import Action
from casebridge.assessments import fhir
from casebridge.assessments.models import InstrumentResponse
from casebridge.audit.models import AuditAction
from casebridge.audit.services import audit_record
from casebridge.clients.api import Refused, client_in_reach, fhir_response, refusals, signed_in


@require_http_methods(["GET"])
@refusals
def questionnaire_fhir(request: HttpRequest, questionnaire_id: str) -> JsonResponse:
    """One version of an instrument, by the id its responses' canonical url|version names."""
    signed_in(request)
    definition = fhir.definition_by_id(questionnaire_id)
    if definition is None:
        raise Refused(404)
    return fhir_response(fhir.questionnaire(definition))


def _completed(
    request: HttpRequest, client_id: int, response_id: int, shape: str
) -> InstrumentResponse:
    client = client_in_reach(request, client_id, Action.READ_CLINICAL)
    response = client.instrument_responses.filter(pk=response_id).first()
    if response is None:
        raise Refused(404)
    # Which record left, and in which shape: the policy's audit names only the client.
    audit_record(
        actor=request.user,
        action=AuditAction.VIEW,
        client_id=client.pk,
        object_type="instrument_response",
        object_id=response.pk,
        changes={"as": f"FHIR {shape}"},
    )
    return response


@require_http_methods(["GET"])
@refusals
def response_fhir(request: HttpRequest, client_id: int, response_id: int) -> JsonResponse:
    response = _completed(request, client_id, response_id, "QuestionnaireResponse")
    return fhir_response(fhir.questionnaire_response(response))


@require_http_methods(["GET"])
@refusals
def observation_fhir(request: HttpRequest, client_id: int, response_id: int) -> JsonResponse:
    response = _completed(request, client_id, response_id, "Observation")
    return fhir_response(fhir.observation(response))

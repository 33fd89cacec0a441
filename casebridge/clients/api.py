"""The client record in FHIR for outside systems, and what every FHIR endpoint shares: sign-in
first (401), the client through the one access policy without emergency access (an emergency is
a person at a screen, not a program calling the API), "not found" outside reach (404), the
read audited where the policy audits it, and `application/fhir+json`."""

import functools
from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, JsonResponse
from django.views.decorators.http import require_http_methods

from casebridge.access.policy import Action
from casebridge.accounts.models import User
from casebridge.clients import fhir
from casebridge.clients.models import Client
from casebridge.clients.queries import client_for

FHIR_JSON = "application/fhir+json"


def fhir_response(resource: dict[str, Any]) -> JsonResponse:
    return JsonResponse(resource, content_type=FHIR_JSON, json_dumps_params={"ensure_ascii": False})


def refusal(status: int) -> JsonResponse:
    message = {401: "Sign in first.", 404: "Not found."}[status]
    return JsonResponse({"error": message}, status=status)


class Refused(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.response = refusal(status)


def refusals(view: Callable[..., JsonResponse]) -> Callable[..., JsonResponse]:
    """Turn a `Refused` raised anywhere in the view into its answer."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
        try:
            return view(request, *args, **kwargs)
        except Refused as refused:
            return refused.response

    return wrapped


def signed_in(request: HttpRequest) -> User:
    """The signed-in staff account calling, or a refusal (401)."""
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        raise Refused(401)
    return user


def client_in_reach(request: HttpRequest, client_id: int, action: str) -> Client:
    """The client the caller may take `action` on (the read audited), or a refusal."""
    user = signed_in(request)
    try:
        return client_for(user=user, client_id=client_id, action=action, include_emergency=False)
    except Http404:
        raise Refused(404) from None


@require_http_methods(["GET"])
@refusals
def patient_fhir(request: HttpRequest, client_id: int) -> JsonResponse:
    """The client as a FHIR R4 Patient. It carries the date of birth, which coaches do not see,
    so it needs the clinical-reading action, as the client page's date of birth does."""
    client = client_in_reach(request, client_id, Action.READ_CLINICAL)
    return fhir_response(fhir.patient(client))

"""The care plans API: JSON over the same sign-in, access policy, audit and services as the
pages. A client's plan versions can be read; a draft's content can be replaced whole (PUT),
carrying the draft's `version`. Signed versions are refused with 409 and code "locked"; a
draft someone else changed is refused with 409 and code "stale", naming who changed it, when
and which fields; invalid content gets 400 with each problem by its place in the document,
under the same rules as the pages (casebridge.plans.services.elements); a body beyond the house bounds (size, depth,
items per list, numbers, NUL or lone surrogates: casebridge.inputs) gets 400 with its reason.
"""

import functools
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, JsonResponse
from django.views.decorators.http import require_http_methods

from casebridge.access.policy import Action
from casebridge.accounts.models import User
from casebridge.audit.versions import VersionConflict
from casebridge.clients.models import Client
from casebridge.clients.queries import client_for
from casebridge.inputs import BadInput, read_json
from casebridge.plans import fhir, queries, services
from casebridge.plans.documents import plan_document
from casebridge.plans.models import CarePlan


def _json(data: dict[str, Any], status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


class _Refused(Exception):
    def __init__(self, response: JsonResponse) -> None:
        self.response = response


def _client(request: HttpRequest, client_id: int, action: str) -> Client:
    """The client the caller may act on, or a refusal: 401 signed out, 404 out of reach."""
    if not request.user.is_authenticated:
        raise _Refused(_json({"error": "Sign in first."}, 401))
    try:
        return client_for(
            user=request.user,
            client_id=client_id,
            action=action,
            include_emergency=not getattr(request, "api_token", False),
            with_people=False,
        )
    except Http404:
        raise _Refused(_json({"error": "Not found."}, 404)) from None


def _caller(request: HttpRequest) -> User:
    """The signed-in account the request acts for (a refusal for anyone else)."""
    if not isinstance(request.user, User) or not request.user.is_authenticated:
        raise _Refused(_json({"error": "Sign in first."}, 401))
    return request.user


def _plan(request: HttpRequest, client_id: int, plan_id: int, action: str) -> CarePlan:
    plan = queries.plan_of(_client(request, client_id, action), plan_id)
    if plan is None:
        raise _Refused(_json({"error": "Not found."}, 404))
    return plan


def refusals(view: Callable[..., JsonResponse]) -> Callable[..., JsonResponse]:
    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
        try:
            return view(request, *args, **kwargs)
        except _Refused as refused:
            return refused.response

    return wrapped


def _full(plan: CarePlan) -> dict[str, Any]:
    return plan_document(plan) | {
        "activated_at": plan.activated_at.isoformat() if plan.activated_at else None,
        "signatures": [
            {"role": s.role, "method": s.method, "signed_at": s.signed_at.isoformat()}
            for s in plan.signatures.all()
        ],
    }


@require_http_methods(["GET"])
@refusals
def plan_list(request: HttpRequest, client_id: int) -> JsonResponse:
    client = _client(request, client_id, Action.READ_CLINICAL)
    return _json(
        {
            "plans": [
                {
                    "id": plan.pk,
                    "version_number": plan.sequence,
                    "status": plan.status,
                    "locked": plan.is_locked,
                    "activated_at": plan.activated_at.isoformat() if plan.activated_at else None,
                }
                for plan in queries.version_summaries(client)
            ]
        }
    )


@require_http_methods(["GET", "PUT"])
@refusals
def plan_item(request: HttpRequest, client_id: int, plan_id: int) -> JsonResponse:
    action = Action.READ_CLINICAL if request.method == "GET" else Action.PLAN
    plan = _plan(request, client_id, plan_id, action)
    if request.method == "GET":
        return _json(_full(plan))
    try:
        document = read_json(request.body)
    except BadInput as problem:
        return _json({"error": str(problem)}, 400)
    if not isinstance(document, dict) or type(document.get("version")) is not int:
        return _json(
            {"error": "Send the plan with the 'version' you read, so no one's work is lost."},
            400,
        )
    try:
        saved = services.plan_replace(
            plan=plan, by=_caller(request), version=document["version"], document=document
        )
    except services.PlanLocked as error:
        return _json({"error": str(error), "code": "locked"}, 409)
    except VersionConflict as conflict:
        return _json(
            {
                "error": str(conflict),
                "code": "stale",
                "changes": [
                    {
                        "who": change.who,
                        "at": change.at.isoformat(),
                        "fields": sorted(name for name in change.fields if name != "version"),
                    }
                    for change in conflict.changes
                ],
            },
            409,
        )
    except ValidationError as error:
        errors = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
        return _json({"error": "The plan has problems.", "errors": errors}, 400)
    return _json(_full(saved))


@require_http_methods(["GET"])
@refusals
def plan_fhir(request: HttpRequest, client_id: int, plan_id: int) -> JsonResponse:
    """One version as a FHIR R4 CarePlan with its goals contained (labelled as Part 2 data)."""
    plan = _plan(request, client_id, plan_id, Action.READ_CLINICAL)
    tree = queries.plan_tree(plan)
    resource = fhir.care_plan(plan, tree, queries.latest_progress(plan, tree))
    response = _json(resource)
    response["Content-Type"] = "application/fhir+json"
    return response

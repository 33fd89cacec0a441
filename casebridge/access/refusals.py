"""Refused attempts on the audit trail: a "not found" from the access policy is a fact too.

One middleware sees every refusal a view answers with 404 and records who, which route, which
client id the URL named and why; `refusal_record` is the one function that writes such rows
(services call it for refusals that are not 404s, like an emergency access to a case that is
not there). Rows are rate-limited per person so a crawler cannot flood the trail.
"""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone

from casebridge.accounts.models import User
from casebridge.audit.models import AuditAction, AuditEvent
from casebridge.audit.services import audit_record

# At most this many refusal rows per person in any rolling minute, and then one row saying the
# limit was reached; the rest of that minute's refusals are not listed one by one.
REFUSALS_PER_MINUTE = 30
WINDOW = timedelta(minutes=1)
# The object type of the one row that says the limit was reached (it is not itself a refusal).
LIMIT_REACHED = "refusal_limit"

NOT_FOUND_OR_NOT_ALLOWED = "not_found_or_not_allowed"

# The largest value the trail's client id column (a signed 64-bit integer) holds.
_LARGEST_ID = 2**63 - 1


def refusal_record(
    *,
    actor: User,
    reason: str,
    object_type: str = "request",
    client_id: int | None = None,
    changes: dict[str, Any] | None = None,
) -> AuditEvent | None:
    """Record one refused attempt by `actor`, or nothing when the per-minute limit has been met.

    Counted with one query on the (actor, at) index, so the limit holds across processes.
    """
    recent = AuditEvent.objects.filter(
        actor=actor, action=AuditAction.REFUSED, at__gte=timezone.now() - WINDOW
    ).aggregate(rows=Count("id"), limit_noted=Count("id", filter=Q(object_type=LIMIT_REACHED)))
    if recent["limit_noted"]:
        return None
    if recent["rows"] >= REFUSALS_PER_MINUTE:
        return audit_record(
            actor=actor,
            action=AuditAction.REFUSED,
            object_type=LIMIT_REACHED,
            changes={"limit_reached": REFUSALS_PER_MINUTE},
        )
    return audit_record(
        actor=actor,
        action=AuditAction.REFUSED,
        client_id=client_id,
        object_type=object_type,
        changes={"reason": reason, **(changes or {})},
    )


class RefusalAuditMiddleware:
    """Audit the 404s that signed-in people get from views: the access policy's refusals.

    A view that raises Http404 is seen in `process_exception` (before Django renders the 404
    page, which still answers); a view that answers 404 itself (the plans API returns JSON)
    is seen in `__call__` when its URL names a client. Each request is recorded once. Only
    the route pattern is kept, never the path or query string, and no client details.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code == 404
            and not getattr(request, "_refusal_recorded", False)
            and request.resolver_match is not None
            and "client_id" in request.resolver_match.kwargs
        ):
            self._record(request)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        if isinstance(exception, Http404):
            self._record(request)
        return None

    def _record(self, request: HttpRequest) -> None:
        user = getattr(request, "user", None)
        match = request.resolver_match
        # Signed-out callers are sent to sign in (or get 401) before any view refuses them.
        if user is None or not user.is_authenticated or match is None:
            return
        request._refusal_recorded = True  # type: ignore[attr-defined]
        client_id = match.kwargs.get("client_id")
        if not isinstance(client_id, int) or not 0 < client_id <= _LARGEST_ID:
            client_id = None
        refusal_record(
            actor=user,
            reason=NOT_FOUND_OR_NOT_ALLOWED,
            client_id=client_id,
            changes={"route": match.route, "method": (request.method or "")[:10]},
        )

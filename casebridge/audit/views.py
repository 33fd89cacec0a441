"""The audit trail page for auditors, filterable by staff member, client and date."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from casebridge.access.policy import may_read_audit
from casebridge.audit.forms import AuditFilterForm
from casebridge.audit.queries import audit_events
from casebridge.paging import page_of


@login_required
def audit_trail(request: HttpRequest) -> HttpResponse:
    if not may_read_audit(request.user):
        raise Http404
    organisation_id: int | None = getattr(request.user, "organisation_id", None)
    if organisation_id is None:
        raise Http404
    form = AuditFilterForm(request.GET or None, organisation_id=organisation_id)
    filters = {}
    if form.is_valid():
        filters = {
            "actor_id": form.cleaned_data["actor"].pk if form.cleaned_data["actor"] else None,
            "client_id": form.cleaned_data["client_id"],
            "action": form.cleaned_data["action"],
            "since": form.cleaned_data["since"],
            "until": form.cleaned_data["until"],
        }
    events = audit_events(organisation_id=organisation_id, **filters)
    page = page_of(events, 100, request.GET.get("page"))
    querystring = request.GET.copy()
    querystring.pop("page", None)
    return render(
        request,
        "audit/trail.html",
        {"form": form, "page": page, "querystring": querystring.urlencode()},
    )

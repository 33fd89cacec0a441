"""The Coaching tab of a client's record (the coach, the intensity, the agreement and those
before; assigning a coach where the person may), and the coach's day."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from casebridge.access.policy import Action, may_have_caseload
from casebridge.accounts.http import SignedInRequest
from casebridge.accounts.models import User
from casebridge.audit.services import audit_record
from casebridge.audit.versions import VersionConflict
from casebridge.clients.queries import client_for, client_page
from casebridge.coaching import queries, services
from casebridge.coaching.forms import CoachForm
from casebridge.formtools import apply_errors
from casebridge.inputs import parse_id

TAB = "coaching_client"
COACHES_SHOWN = 50  # coaches listed in the form's choice; a name finds the others


@login_required
@require_http_methods(["GET", "POST"])
def coaching_client(request: SignedInRequest, client_id: int) -> HttpResponse:
    client = client_for(user=request.user, client_id=client_id, action=Action.VIEW)
    may_assign = services.may_assign_coach(request.user, client)
    if request.method == "POST" and not may_assign:
        raise Http404
    form = None
    status = 200
    # A program with many coaches lists the first by name, and finds the others by name.
    coach_name = (request.GET.get("coach_name") or "").strip()[:100]
    listed: list[User] = []
    more_coaches = False
    if may_assign:
        listed, more_coaches = queries.coaches_listed(client, coach_name, COACHES_SHOWN)
        chosen = parse_id(request.POST.get("coach")) if request.method == "POST" else None
        if chosen is not None and all(coach.pk != chosen for coach in listed):
            # A form drawn again keeps the coach chosen, listed or not (if they may be chosen).
            listed += list(queries.coaches_for(client).filter(pk=chosen))
        form = CoachForm(
            request.POST or None,
            coaches=queries.coaches_for(client),
            listed=listed,
            described_by="coach-name-help" if more_coaches or coach_name else "",
            initial={
                "coach": client.coach_id,
                "started_on": timezone.localdate(),
                "version": client.version,
            },
        )
    if request.method == "POST" and form is not None:
        status = 400
        if form.is_valid():
            try:
                services.coach_assign(client=client, by=request.user, **form.cleaned_data)
            except VersionConflict:
                form.add_error(
                    None, "Someone changed this client's record in between: check, then save again."
                )
                status = 409
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, "Saved: the coach and the agreement.")
                return redirect(TAB, client_id=client.pk)
    history = queries.agreements(client)
    if history:
        audit_record(
            actor=request.user,
            action="view",
            client_id=client.pk,
            object_type=services.OBJECT_TYPE,
            changes={"agreements": [a.pk for a in history]},
        )
    context = client_page(
        request.user,
        client,
        TAB,
        agreements=history,
        # The agreement in effect with the present coach (a coach changed on the assignment
        # page leaves no agreement until one is made here).
        current=next(
            (a for a in history if a.ended_on is None and a.coach_id == client.coach_id), None
        ),
        form=form,
        coach_name=coach_name,
        more_coaches=more_coaches,
        coaches_shown=COACHES_SHOWN,
        coaches_found=any(coach.pk != client.coach_id for coach in listed),
    )
    return render(request, "coaching/client.html", context, status=status)


@login_required
def coach_day(request: SignedInRequest) -> HttpResponse:
    if not may_have_caseload(request.user):
        raise Http404
    day = queries.coach_day(request.user)
    audit_record(
        actor=request.user,
        action="list",
        object_type="coach_day",
        changes={"client_ids": sorted(r.client.pk for r in [*day.missed, *day.due, *day.later])},
    )
    return render(request, "coaching/day.html", {"day": day})

"""The Court tab of a client's record (their court, phase, what moving up asks against the
record, and the decisions so far), entering a court, moving up a phase at a hearing, and a
court's hearing calendar.

Who: the court record is read with clinical content (`read_clinical`: it shows days without use
and missed tests); keeping it is the case manager's coordination work (`plan`). A court's
calendar is for the case managers and supervisors of the program that serves the court. Every
rule is the services'."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from casebridge.access.policy import Action
from casebridge.accounts.http import SignedInRequest
from casebridge.audit.services import audit_record
from casebridge.clients.queries import client_for, client_page, user_may
from casebridge.court import queries, services
from casebridge.court.forms import AdvanceForm, EnrolForm, HearingForm
from casebridge.court.models import Participant
from casebridge.formtools import apply_errors, save_versioned

TAB = "court_record"


def _advance_form(participant: Participant, data: object = None) -> AdvanceForm:
    return AdvanceForm(
        data,
        initial={"version": participant.version},
        hearings=queries.deciding_hearings(participant, timezone.localdate()),
    )


def _record_page(
    request: SignedInRequest,
    client_id: int,
    *,
    enrol_form: EnrolForm | None = None,
    advance_form: AdvanceForm | None = None,
    status: int = 200,
) -> HttpResponse:
    client = client_for(user=request.user, client_id=client_id, action=Action.READ_CLINICAL)
    participant = queries.participation(client)
    may_keep = user_may(request.user, client, Action.PLAN)
    context = client_page(request.user, client, TAB, participant=participant, may_keep=may_keep)
    if participant is not None:
        today = timezone.localdate()
        context.update(
            criteria=services.phase_criteria(participant, today),
            days_in_phase=(today - participant.phase_started_on).days,
            days_without_use=services.days_without_use(participant, today),
            decisions=queries.decisions(participant),
            next_phase=services.next_phase(participant),
            advance_form=advance_form or _advance_form(participant),
        )
        audit_record(
            actor=request.user,
            action="view",
            client_id=client.pk,
            object_type=services.OBJECT_TYPE,
            object_id=participant.pk,
        )
    elif may_keep:
        context["enrol_form"] = enrol_form or EnrolForm(
            courts=queries.courts_for_client(client), initial={"entered_on": timezone.localdate()}
        )
    return render(request, "court/record.html", context, status=status)


@login_required
def court_record(request: SignedInRequest, client_id: int) -> HttpResponse:
    return _record_page(request, client_id)


@login_required
@require_POST
def court_enrol(request: SignedInRequest, client_id: int) -> HttpResponse:
    client = client_for(user=request.user, client_id=client_id, action=Action.PLAN)
    form = EnrolForm(request.POST, courts=queries.courts_for_client(client))
    if form.is_valid():
        try:
            services.participant_enrol(client=client, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request, "Saved: the client takes part in the court, in its first phase."
            )
            return redirect(TAB, client_id=client.pk)
    return _record_page(request, client_id, enrol_form=form, status=400)


@login_required
@require_POST
def court_advance(request: SignedInRequest, client_id: int) -> HttpResponse:
    client = client_for(user=request.user, client_id=client_id, action=Action.PLAN)
    participant = queries.participation(client)
    if participant is None:
        raise Http404
    form = _advance_form(participant, request.POST)
    if form.is_valid():
        attempt = save_versioned(
            form,
            lambda: services.phase_advance(
                participant=participant, by=request.user, **form.cleaned_data
            ),
            record=participant,
        )
        if attempt.saved:
            messages.success(request, "Saved: the participant moved up a phase.")
            return redirect(TAB, client_id=client.pk)
        return _record_page(
            request, client_id, advance_form=form, status=409 if attempt.conflict else 400
        )
    return _record_page(request, client_id, advance_form=form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def court_hearings(request: SignedInRequest, court_id: int) -> HttpResponse:
    court = queries.court_for(request.user, court_id)
    if court is None:
        raise Http404
    form = HearingForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.hearing_schedule(court_program=court, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, "Saved: the hearing is on the court's calendar.")
                return redirect("court_hearings", court_id=court.pk)
        status = 400
    today = timezone.localdate()
    return render(
        request,
        "court/hearings.html",
        {"court": court, "hearings": queries.calendar(court, today), "form": form, "today": today},
        status=status,
    )

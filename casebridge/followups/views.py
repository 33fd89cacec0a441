"""The follow-up pages: the staff's list of follow-ups due, the Follow-up tab of a client (the
follow-ups of each discharge, their attempts and outcomes), logging an attempt, correcting its
note, recording how the client is doing; and the continuity measures for supervisors.

Reading a client's follow-ups is clinical (read_clinical: the attempts' notes and the outcomes);
logging an attempt needs record_contact, and the outcome both. Every rule is the services'."""

from datetime import datetime, time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from casebridge.access.policy import Action, may_have_caseload, may_see_team
from casebridge.accounts.http import SignedInRequest
from casebridge.audit.services import audit_record
from casebridge.audit.versions import VersionConflict
from casebridge.clients.models import Client
from casebridge.clients.queries import client_for, client_page, user_may
from casebridge.followups import charts, queries, services
from casebridge.followups.forms import AttemptForm, AttemptNoteForm, OutcomeForm
from casebridge.followups.measures import (
    MEASURES_KEPT_SECONDS,
    PERIODS,
    kept_continuity_measures,
)
from casebridge.followups.models import QUESTION_NAMES, FollowUp, FollowUpStatus
from casebridge.formtools import apply_errors, offer_latest, save_versioned

OUT_OF_DATE = "This page was out of date, so nothing was changed. Look again and retry."


@login_required
def followup_due(request: SignedInRequest) -> HttpResponse:
    """Follow-ups due within a week or overdue, for the clients the person logs contacts for."""
    if not may_have_caseload(request.user):
        raise Http404
    today = timezone.localdate()
    due = queries.due_followups(request.user, today=today)
    shown = sorted({follow_up.client_id for follow_up in due})
    if shown:
        # Names and due days of clients: a read of their records.
        audit_record(
            actor=request.user,
            action="list",
            object_type="follow_ups_due",
            changes={"client_ids": shown},
        )
    return render(
        request,
        "followups/due.html",
        {
            "overdue": [f for f in due if f.due_on < today],
            "upcoming": [f for f in due if f.due_on >= today],
            "today": today,
            "ahead": queries.DUE_AHEAD_DAYS,
        },
    )


def _follow_up(client: Client, follow_up_id: int) -> FollowUp:
    found = queries.followup_of(client, follow_up_id)
    if found is None:
        raise Http404
    return found


@login_required
def followup_client(request: SignedInRequest, client_id: int) -> HttpResponse:
    client = client_for(user=request.user, client_id=client_id, action=Action.READ_CLINICAL)
    follow_ups = queries.followups_for(client)
    if follow_ups:
        audit_record(
            actor=request.user,
            action="view",
            client_id=client.pk,
            object_type="follow_up",
            changes={"follow_ups": [f.pk for f in follow_ups]},
        )
    context = client_page(request.user, client, "followup_client", follow_ups=follow_ups)
    return render(request, "followups/client.html", context)


def _attempt_page(
    request: SignedInRequest, client: Client, follow_up: FollowUp, form: AttemptForm, status: int
) -> HttpResponse:
    context = client_page(request.user, client, "followup_client", follow_up=follow_up, form=form)
    return render(request, "followups/attempt_form.html", context, status=status)


def _moment(day: object) -> datetime:
    """An attempt today is "now"; one on an earlier day is noon of that day where the program
    works (a later day is refused by the service as in the future)."""
    if day == timezone.localdate():
        return timezone.now()
    return timezone.make_aware(datetime.combine(day, time(12)))  # type: ignore[arg-type]


@login_required
def followup_attempt(request: SignedInRequest, client_id: int, follow_up_id: int) -> HttpResponse:
    client = client_for(user=request.user, client_id=client_id, action=Action.RECORD_CONTACT)
    follow_up = _follow_up(client, follow_up_id)
    if not follow_up.is_open:
        messages.error(request, services.CLOSED_MESSAGE)
        return redirect("followup_client", client_id=client.pk)
    form = AttemptForm(request.POST or None, initial={"attempted_on": timezone.localdate()})
    if request.method != "POST":
        return _attempt_page(request, client, follow_up, form, 200)
    if form.is_valid():
        data = form.cleaned_data
        try:
            attempt = services.attempt_record(
                follow_up=follow_up,
                by=request.user,
                result=data["result"],
                attempted_at=_moment(data["attempted_on"]),
                note=data["note"],
            )
        except ValidationError as error:
            if "attempted_at" in getattr(error, "error_dict", {}):
                error = ValidationError(
                    {
                        ("attempted_on" if field == "attempted_at" else field): errors
                        for field, errors in error.error_dict.items()
                    }
                )
            apply_errors(form, error)
        else:
            reached = attempt.result == FollowUpStatus.REACHED
            messages.success(
                request,
                "Attempt logged. Now record how the client is doing."
                if reached
                else "Attempt logged.",
            )
            if reached and user_may(request.user, client, Action.READ_CLINICAL):
                return redirect("followup_outcome", client_id=client.pk, follow_up_id=follow_up.pk)
            return redirect("followup_client", client_id=client.pk)
    return _attempt_page(request, client, follow_up, form, 400)


@login_required
def followup_attempt_edit(
    request: SignedInRequest, client_id: int, follow_up_id: int, attempt_id: int
) -> HttpResponse:
    """Correct an attempt's note, under optimistic locking."""
    client = client_for(user=request.user, client_id=client_id, action=Action.RECORD_CONTACT)
    follow_up = _follow_up(client, follow_up_id)
    attempt = queries.attempt_of(follow_up, attempt_id)
    if attempt is None:
        raise Http404
    form = AttemptNoteForm(
        request.POST or None, initial={"note": attempt.note, "version": attempt.version}
    )
    conflict: VersionConflict | None = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            saved = save_versioned(
                form,
                lambda: services.attempt_note_edit(
                    attempt=attempt, by=request.user, version=data["version"], note=data["note"]
                ),
                record=attempt,
            )
            if saved.saved:
                messages.success(request, "Note saved.")
                return redirect("followup_client", client_id=client.pk)
            conflict = saved.conflict
        elif "version" in form.errors:
            form.errors.pop("version")
            form.add_error(None, OUT_OF_DATE)
        status = 409 if conflict else 400
    context = client_page(
        request.user,
        client,
        "followup_client",
        follow_up=follow_up,
        attempt=attempt,
        form=form,
        conflict=conflict,
    )
    return render(request, "followups/attempt_edit.html", context, status=status)


@login_required
def followup_outcome(request: SignedInRequest, client_id: int, follow_up_id: int) -> HttpResponse:
    """Record, or correct, how the client was doing when reached (clinical: the person needs
    both record_contact and read_clinical)."""
    client = client_for(user=request.user, client_id=client_id, action=Action.RECORD_CONTACT)
    context = client_page(request.user, client, "followup_client")
    if Action.READ_CLINICAL not in context["allowed"]:
        raise Http404
    follow_up = _follow_up(client, follow_up_id)
    if follow_up.status != FollowUpStatus.REACHED:
        messages.error(request, "Record how the client is doing once they have been reached.")
        return redirect("followup_client", client_id=client.pk)
    outcome = queries.outcome_of(follow_up)
    initial: dict[str, object] = {"version": outcome.version if outcome else None}
    if outcome is not None:
        initial.update({name: getattr(outcome, name) for name in QUESTION_NAMES})
        audit_record(
            actor=request.user,
            action="view",
            client_id=client.pk,
            object_type="follow_up_outcome",
            object_id=outcome.pk,
        )
    form = OutcomeForm(request.POST or None, initial=initial)
    conflict: VersionConflict | None = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            version = data["version"]
            if outcome is not None and version is None:
                form.add_error(None, OUT_OF_DATE)
            else:
                saved = save_versioned(
                    form,
                    lambda: services.outcome_record(
                        follow_up=follow_up,
                        by=request.user,
                        version=version,
                        answers={name: data[name] for name in QUESTION_NAMES},
                    ),
                    record=outcome if outcome is not None else follow_up,
                )
                if saved.saved:
                    messages.success(request, "How the client is doing is recorded.")
                    return redirect("followup_client", client_id=client.pk)
                conflict = saved.conflict
                if conflict is not None and outcome is None:
                    # Someone else recorded it first: offer theirs as the version to correct.
                    outcome = queries.outcome_of(follow_up)
                    if outcome is not None:
                        offer_latest(form, outcome.version)
        elif "version" in form.errors:
            form.errors.pop("version")
            form.add_error(None, OUT_OF_DATE)
        status = 409 if conflict else 400
    context.update(follow_up=follow_up, outcome=outcome, form=form, conflict=conflict)
    return render(request, "followups/outcome_form.html", context, status=status)


@login_required
def continuity_measures(request: SignedInRequest) -> HttpResponse:
    """How care continues across levels, and after it ends (supervisors)."""
    if not may_see_team(request.user):
        raise Http404
    period = request.GET.get("period", "90")
    if period not in PERIODS:
        period = "90"
    found, worked_out = kept_continuity_measures(
        request.user, period=period, today=timezone.localdate()
    )
    return render(
        request,
        "followups/measures.html",
        {
            "measures": found,
            "worked_out": worked_out,
            "kept_minutes": MEASURES_KEPT_SECONDS // 60,
            "period": period,
            "periods": PERIODS,
            "stay_chart": charts.stay_chart(found.levels),
        },
    )

"""The Court tab of a client's record (their court, phase, what moving up asks against the
record, and the decisions so far), entering a court, moving up a phase at a hearing, and a
court's hearing calendar.

Who: the court record is read with clinical content (`read_clinical`: it shows days without use
and missed tests); keeping it is the case manager's coordination work (`plan`). A court's
calendar is for the case managers and supervisors of the program that serves the court. Every
rule is the services'."""

from collections.abc import Callable
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from casebridge.access.policy import Action
from casebridge.accounts.http import SignedInRequest
from casebridge.audit.services import audit_record
from casebridge.audit.versions import VersionConflict
from casebridge.charts import bar_chart
from casebridge.clients.models import Client
from casebridge.clients.queries import client_for, client_page, user_may
from casebridge.court import measures, progress, queries, services, staffing
from casebridge.court.forms import (
    AdvanceForm,
    CallInForm,
    EndForm,
    EnrolForm,
    HearingForm,
    RecommendationForm,
    ReleaseForm,
    ResponseForm,
    TeamForm,
)
from casebridge.court.models import (
    Hearing,
    Participant,
    ParticipantStatus,
)
from casebridge.formtools import apply_errors, save_versioned

TAB = "court_record"


def _advance_form(participant: Participant, data: object = None) -> AdvanceForm:
    return AdvanceForm(
        data,
        initial={"version": participant.version},
        hearings=queries.deciding_hearings(participant, timezone.localdate()),
    )


def _response_form(participant: Participant, data: object = None) -> ResponseForm:
    return ResponseForm(
        data,
        prefix="response",
        hearings=queries.held_hearings(participant, timezone.localdate()),
        behaviours=queries.behaviours(participant.court_program_id),
    )


def _team_form(participant: Participant, data: object = None) -> TeamForm:
    return TeamForm(
        data,
        prefix="team",
        initial={
            "version": participant.version,
            **{role: getattr(participant, f"{role}_id") for role in services.TEAM_ROLES},
            "accounts": [member.pk for member in participant.team_accounts.all()],
        },
        contacts=queries.contacts(participant.client_id),
        accounts=queries.team_accounts(participant.court_program_id),
    )


def _call_in_form(data: object = None) -> CallInForm:
    return CallInForm(data, prefix="call", initial={"day": timezone.localdate()})


def _end_form(participant: Participant, data: object = None) -> EndForm:
    return EndForm(
        data,
        prefix="end",
        initial={"version": participant.version},
        hearings=queries.held_hearings(participant, timezone.localdate()),
    )


def _record_page(
    request: SignedInRequest,
    client_id: int,
    *,
    client: Client | None = None,
    enrol_form: EnrolForm | None = None,
    advance_form: AdvanceForm | None = None,
    response_form: ResponseForm | None = None,
    end_form: EndForm | None = None,
    team_form: TeamForm | None = None,
    call_in_form: CallInForm | None = None,
    status: int = 200,
) -> HttpResponse:
    if client is None:
        client = client_for(user=request.user, client_id=client_id, action=Action.READ_CLINICAL)
    participant = queries.participation(client)
    may_keep = user_may(request.user, client, Action.PLAN)
    context = client_page(request.user, client, TAB, participant=participant, may_keep=may_keep)
    if participant is not None:
        today = timezone.localdate()
        facts = progress.record_facts([participant], today)[participant.pk]
        criteria = progress.phase_criteria(participant, today, facts)
        context.update(
            criteria=criteria,
            proposed=participant.status == ParticipantStatus.ACTIVE and progress.proposed(criteria),
            to_confirm=any(c.met is None for c in criteria),
            days_in_phase=(today - participant.phase_started_on).days,
            days_without_use=progress.days_without_use(participant, today, facts),
            decisions=queries.decisions(participant),
            next_phase=progress.next_phase(participant),
            responses=queries.responses(participant),
            obligations=queries.obligations(participant, today),
            drawn_today=_drawn_today(participant, today),
            ratio=progress.ratios([participant.pk]).get(participant.pk, progress.Ratio(0, 0)),
        )
        if may_keep and participant.status == ParticipantStatus.ACTIVE:
            context.update(
                advance_form=advance_form or _advance_form(participant),
                proposals=progress.response_proposals(participant),
                response_form=response_form or _response_form(participant),
                end_form=end_form or _end_form(participant),
                team_form=team_form or _team_form(participant),
                call_in_form=call_in_form or _call_in_form(),
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
    return _record_page(request, client_id, client=client, enrol_form=form, status=400)


def _kept_participation(request: SignedInRequest, client_id: int) -> tuple[Client, Participant]:
    client = client_for(user=request.user, client_id=client_id, action=Action.PLAN)
    participant = queries.participation(client)
    if participant is None:
        raise Http404
    participant.client = client
    return client, participant


def _versioned_post(
    request: SignedInRequest,
    client_id: int,
    form_name: str,
    make_form: Callable[[Participant, object], Any],
    save: Callable[..., object],
    done: str,
) -> HttpResponse:
    """A change to the participation under optimistic locking: saved, or the Court tab again
    with the form's errors (400), or with the typing kept over the latest version (409)."""
    client, participant = _kept_participation(request, client_id)
    form = make_form(participant, request.POST)
    status = 400
    if form.is_valid():
        attempt = save_versioned(
            form,
            lambda: save(participant=participant, by=request.user, **form.cleaned_data),
            record=participant,
        )
        if attempt.saved:
            messages.success(request, done)
            return redirect(TAB, client_id=client.pk)
        status = 409 if attempt.conflict else 400
    return _record_page(request, client_id, client=client, status=status, **{form_name: form})


@login_required
@require_POST
def court_advance(request: SignedInRequest, client_id: int) -> HttpResponse:
    return _versioned_post(
        request,
        client_id,
        "advance_form",
        _advance_form,
        services.phase_advance,
        "Saved: the participant moved up a phase.",
    )


@login_required
@require_POST
def court_team(request: SignedInRequest, client_id: int) -> HttpResponse:
    return _versioned_post(
        request,
        client_id,
        "team_form",
        _team_form,
        services.court_team_set,
        "Saved: the court team.",
    )


@login_required
@require_POST
def court_end(request: SignedInRequest, client_id: int) -> HttpResponse:
    return _versioned_post(
        request,
        client_id,
        "end_form",
        _end_form,
        services.participation_end,
        "Saved: the participation has ended.",
    )


@login_required
@require_POST
def court_respond(request: SignedInRequest, client_id: int) -> HttpResponse:
    client, participant = _kept_participation(request, client_id)
    form = _response_form(participant, request.POST)
    if form.is_valid():
        try:
            response = services.response_record(
                participant=participant, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request, f"Saved: {response.get_kind_display().lower()}, {response.description}."
            )
            return redirect(TAB, client_id=client.pk)
    return _record_page(request, client_id, client=client, response_form=form, status=400)


def _drawn_today(participant: Participant, today: date) -> bool | None:
    """Whether the participant's colour tests today (None: no group, or no draw yet)."""
    if participant.testing_group_id is None or participant.status != ParticipantStatus.ACTIVE:
        return None
    draw = queries.draw_on(participant.court_program_id, today)
    if draw is None:
        return None
    return participant.testing_group.colour in draw.colours  # type: ignore[union-attr]


@login_required
@require_POST
def court_call_in(request: SignedInRequest, client_id: int) -> HttpResponse:
    client, participant = _kept_participation(request, client_id)
    form = _call_in_form(request.POST)
    if form.is_valid():
        try:
            services.call_in_record(
                participant=participant, day=form.cleaned_data["day"], by=request.user
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Saved: the call-in.")
            return redirect(TAB, client_id=client.pk)
    return _record_page(request, client_id, client=client, call_in_form=form, status=400)


@login_required
def court_line(request: SignedInRequest, court_id: int) -> HttpResponse:
    """The testing line's message for today, for the phone line or the front desk, and the
    draws of the last two weeks as they were made."""
    court = queries.court_for(request.user, court_id)
    if court is None:
        raise Http404
    today = timezone.localdate()
    services.draw_day(court, today)
    return render(
        request, "court/line.html", {"court": court, "draws": queries.draws(court, today)}
    )


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
        {
            "court": court,
            "hearings": queries.calendar(court, today),
            "held": queries.held(court, today),
            "form": form,
            "today": today,
            "ratio": progress.court_ratio(court.pk),
        },
        status=status,
    )


@login_required
def court_measures(request: SignedInRequest, court_id: int) -> HttpResponse:
    court = queries.court_for(request.user, court_id)
    if court is None:
        raise Http404
    found = measures.court_measures(court, timezone.localdate())
    return render(
        request,
        "court/measures.html",
        {
            "court": court,
            "measures": found,
            "now_chart": bar_chart(
                [(f"Phase {row.number}", row.now) for row in found.phases],
                "Participants in each phase today",
            ),
            "days_chart": bar_chart(
                [
                    (f"Phase {row.number}", row.median_days)
                    for row in found.phases
                    if row.median_days is not None
                ],
                "Median days each phase took",
            ),
        },
    )


def _served_hearing(request: SignedInRequest, court_id: int, hearing_id: int) -> Hearing:
    court = queries.court_for(request.user, court_id)
    hearing = (
        court
        and court.hearings.select_related("court_program__organisation")
        .filter(pk=hearing_id)
        .first()
    )
    if not hearing:
        raise Http404
    return hearing


def _staffing_page(
    request: SignedInRequest,
    hearing: Hearing,
    *,
    forms: dict[int, RecommendationForm] | None = None,
    release_form: ReleaseForm | None = None,
    left_out: list[staffing.Entry] | None = None,
    status: int = 200,
) -> HttpResponse:
    today = timezone.localdate()
    report = staffing.staffing(request.user, hearing, today)
    staffing.shared_categories(report.entries, today)
    forms = forms or {}
    open_for_notes = hearing.held_on >= today
    keeps = (
        queries.keeping(request.user, [e.client.pk for e in report.entries])
        if open_for_notes
        else set()
    )
    rows = []
    for entry in report.entries:
        may_write = entry.client.pk in keeps
        form = forms.get(entry.participant.pk)
        if form is None and may_write:
            form = RecommendationForm(
                initial={
                    "recommendation": entry.note.recommendation if entry.note else "",
                    "version": entry.note.version if entry.note else 0,
                },
                prefix=f"p{entry.participant.pk}",
            )
        rows.append((entry, form if may_write else None))
    return render(
        request,
        "court/staffing.html",
        {
            "hearing": hearing,
            "court": hearing.court_program,
            "report": report,
            "rows": rows,
            "release_form": release_form or ReleaseForm(),
            "left_out": left_out,
            "shared_count": sum(1 for e in report.entries if e.shared),
            "parts": staffing.SHARED_PARTS,
        },
        status=status,
    )


@login_required
def hearing_staffing(request: SignedInRequest, court_id: int, hearing_id: int) -> HttpResponse:
    return _staffing_page(request, _served_hearing(request, court_id, hearing_id))


@login_required
@require_POST
def staffing_recommend(
    request: SignedInRequest, court_id: int, hearing_id: int, participant_id: int
) -> HttpResponse:
    hearing = _served_hearing(request, court_id, hearing_id)
    participant = queries.docket_participant(hearing, participant_id)
    if participant is None:
        raise Http404
    participant.client = client_for(
        user=request.user, client_id=participant.client_id, action=Action.PLAN
    )
    form = RecommendationForm(request.POST, prefix=f"p{participant.pk}")
    status = 400
    if form.is_valid():
        try:
            services.recommendation_save(
                participant=participant, hearing=hearing, by=request.user, **form.cleaned_data
            )
        except VersionConflict:
            # Someone saved in between: the typing stays, over the version as it now is.
            latest = queries.staffing_note(hearing, participant)
            data = request.POST.copy()
            data[form.add_prefix("version")] = str(latest.version if latest else 0)
            form.data = data
            form.add_error(
                None, "Someone else saved a recommendation in between: read it, then save again."
            )
            status = 409
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Saved: the recommendation is in the staffing report.")
            url = reverse("hearing_staffing", args=[court_id, hearing_id])
            return redirect(f"{url}#p{participant.pk}")
    return _staffing_page(request, hearing, forms={participant.pk: form}, status=status)


@login_required
@require_POST
def staffing_release(request: SignedInRequest, court_id: int, hearing_id: int) -> HttpResponse:
    hearing = _served_hearing(request, court_id, hearing_id)
    form = ReleaseForm(request.POST)
    if not form.is_valid():
        return _staffing_page(request, hearing, release_form=form, status=400)
    today = timezone.localdate()
    report = staffing.staffing(request.user, hearing, today)
    released = staffing.release(report, by=request.user, method=form.cleaned_data["method"])
    if not released.included:
        form.add_error(
            None,
            "No participant you hold has a consent that lets the program share with the court, "
            "so there is nothing to send.",
        )
        return _staffing_page(
            request, hearing, release_form=form, left_out=released.left_out, status=400
        )
    response = HttpResponse(released.pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="staffing-{hearing.court_program_id}-{hearing.held_on}.pdf"'
    )
    return response

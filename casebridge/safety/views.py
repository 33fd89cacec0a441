"""The Safety plan tab (write, sign, print), and the on-call pages: who is on call, the roster a
supervisor keeps, the caller lookup, the read-only view the on-call worker opens, and the
after-hours contact log."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from casebridge.access.policy import Action, may_have_caseload
from casebridge.accounts.http import SignedInRequest
from casebridge.accounts.models import Program, Role
from casebridge.audit.services import audit_record, record_print
from casebridge.audit.versions import VersionConflict
from casebridge.clients.models import Client
from casebridge.clients.queries import client_for, client_page
from casebridge.formtools import apply_errors, save_versioned
from casebridge.inputs import parse_id
from casebridge.safety import pdf, printing, queries, services
from casebridge.safety.forms import (
    AfterHoursForm,
    CallerSearchForm,
    ClientSignatureForm,
    HandoverForm,
    SafetyPlanForm,
    ShiftForm,
)
from casebridge.safety.models import SECTION_NAMES, OnCallShift, SafetyPlan
from casebridge.safety.statuses import SafetyPlanStatus

OUT_OF_DATE = "This page was out of date, so nothing was changed. Look at the plan again and retry."

# --- The Safety plan tab -------------------------------------------------------------------------


def _plan(client: Client, plan_id: int) -> SafetyPlan:
    plan = queries.plan_of(client, plan_id)
    if plan is None:
        raise Http404
    return plan


@login_required
def safety_plan_home(request: SignedInRequest, client_id: int) -> HttpResponse:
    """The plan in effect for everyone who may view the client (a coach included); drafts,
    older versions and after-hours calls for those who write plans and read clinical content."""
    client = client_for(user=request.user, client_id=client_id, action=Action.VIEW)
    context = client_page(request.user, client, "safety_plan_home")
    can = context["can"]
    in_effect = queries.plan_in_effect(client)
    context.update(
        plan=in_effect,
        sections=in_effect.sections() if in_effect else [],
        versions=queries.plan_versions(client) if can[Action.PLAN] else [],
        after_hours=(queries.after_hours_for_client(client) if can[Action.READ_CLINICAL] else []),
    )
    if can[Action.PLAN]:
        context["draft"] = next(
            (v for v in context["versions"] if v.status == SafetyPlanStatus.DRAFT), None
        )
    return render(request, "safety/plan_home.html", context)


@login_required
@require_POST
def safety_plan_start(request: SignedInRequest, client_id: int) -> HttpResponse:
    client = client_for(user=request.user, client_id=client_id, action=Action.PLAN)
    try:
        plan = services.safety_plan_start(client=client, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("safety_plan_home", client_id=client.pk)
    messages.success(request, f"Safety plan version {plan.sequence} drafted.")
    return redirect("safety_plan_edit", client_id=client.pk, plan_id=plan.pk)


def _detail(
    request: SignedInRequest,
    client: Client,
    plan: SafetyPlan,
    form: ClientSignatureForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = client_page(request.user, client, "safety_plan_home")
    if plan.status != SafetyPlanStatus.ACTIVE and not context["can"][Action.PLAN]:
        raise Http404  # a coach reads the plan in effect, not drafts or replaced versions
    signatures = list(plan.signatures.select_related("recorded_by"))
    context.update(
        plan=plan,
        sections=plan.sections(),
        signatures=signatures,
        signed_roles={s.role for s in signatures},
        unfinished=services.unfinished(plan) if plan.status == SafetyPlanStatus.DRAFT else [],
        signature_form=form
        or ClientSignatureForm(initial={"version": plan.version, "name": client.legal_name}),
    )
    return render(request, "safety/plan_detail.html", context, status=status)


@login_required
def safety_plan_detail(request: SignedInRequest, client_id: int, plan_id: int) -> HttpResponse:
    client = client_for(user=request.user, client_id=client_id, action=Action.VIEW)
    return _detail(request, client, _plan(client, plan_id))


@login_required
def safety_plan_edit(request: SignedInRequest, client_id: int, plan_id: int) -> HttpResponse:
    client = client_for(user=request.user, client_id=client_id, action=Action.PLAN)
    plan = _plan(client, plan_id)
    if plan.is_locked:
        messages.error(request, services.LOCKED_MESSAGE)
        return redirect("safety_plan_detail", client_id=client.pk, plan_id=plan.pk)
    initial: dict[str, Any] = {name: getattr(plan, name) for name in SECTION_NAMES}
    form = SafetyPlanForm(request.POST or None, initial={**initial, "version": plan.version})
    conflict: VersionConflict | None = None
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            attempt = save_versioned(
                form,
                lambda: services.safety_plan_save(
                    plan=plan,
                    by=request.user,
                    version=data["version"],
                    sections={name: data[name] for name in SECTION_NAMES},
                ),
                record=plan,
            )
            if attempt.saved:
                messages.success(request, "Safety plan saved.")
                return redirect("safety_plan_detail", client_id=client.pk, plan_id=plan.pk)
            conflict = attempt.conflict
        elif "version" in form.errors:
            form.errors.pop("version")
            form.add_error(None, OUT_OF_DATE)
    context = client_page(
        request.user, client, "safety_plan_home", plan=plan, form=form, conflict=conflict
    )
    status = 409 if conflict else (400 if request.method == "POST" else 200)
    return render(request, "safety/plan_edit.html", context, status=status)


@login_required
@require_POST
def safety_plan_sign(request: SignedInRequest, client_id: int, plan_id: int) -> HttpResponse:
    client = client_for(user=request.user, client_id=client_id, action=Action.PLAN)
    plan = _plan(client, plan_id)
    role = request.POST.get("role", "")
    back = reverse("safety_plan_detail", args=[client.pk, plan.pk]) + "#signatures"
    form = ClientSignatureForm(request.POST)
    if role == "client" and not form.is_valid():
        return _detail(request, client, plan, form, status=400)
    version = parse_id(request.POST.get("version"))
    if version is None:
        messages.error(request, OUT_OF_DATE)
        return redirect(back)
    try:
        if role == "client":
            services.safety_plan_sign(
                plan=plan,
                by=request.user,
                version=version,
                role=role,
                method=form.cleaned_data["method"],
                name=form.cleaned_data["name"],
                image=form.cleaned_data["image"],
                witness_name=form.cleaned_data["witness_name"],
            )
        else:
            services.safety_plan_sign(plan=plan, by=request.user, version=version, role="staff")
    except (VersionConflict, services.SafetyPlanLocked) as error:
        messages.error(request, str(error))
    except ValidationError as error:
        if role == "client" and hasattr(error, "error_dict"):
            apply_errors(form, error)
            return _detail(request, client, plan, form, status=400)
        messages.error(request, " ".join(error.messages))
    else:
        plan.refresh_from_db()
        messages.success(
            request,
            "Signed. The safety plan is now in effect."
            if plan.status == SafetyPlanStatus.ACTIVE
            else "Signed. The text of this version is now fixed.",
        )
    return redirect(back)


def _printed(
    request: SignedInRequest, client_id: int, plan_id: int, form: str
) -> tuple[Client, SafetyPlan, printing.PrintedSafetyPlan]:
    """The plan laid out for the client, with the printing on the audit trail."""
    client = client_for(user=request.user, client_id=client_id, action=Action.PLAN)
    plan = _plan(client, plan_id)
    printed = printing.printable(
        client=client,
        plan=plan,
        signatures=list(plan.signatures.all()),
        lang=printing.language_for(client, request.GET.get("lang")),
    )
    record_print(
        actor=request.user,
        client_id=client.pk,
        object_type="safety_plan",
        object_id=plan.pk,
        format=form,
        language=printed.lang,
    )
    return client, plan, printed


@login_required
def safety_plan_print(request: SignedInRequest, client_id: int, plan_id: int) -> HttpResponse:
    client, plan, printed = _printed(request, client_id, plan_id, "page")
    return render(
        request, "safety/plan_print.html", {"client": client, "plan": plan, "printed": printed}
    )


@login_required
def safety_plan_pdf(request: SignedInRequest, client_id: int, plan_id: int) -> HttpResponse:
    _, plan, printed = _printed(request, client_id, plan_id, "pdf")
    response = HttpResponse(pdf.safety_plan_pdf(printed), content_type="application/pdf")
    # The file name carries no name or case number: only the version.
    response["Content-Disposition"] = f'attachment; filename="safety-plan-v{plan.sequence}.pdf"'
    return response


# --- On call -------------------------------------------------------------------------------------


def _clinical(request: SignedInRequest) -> None:
    if not may_have_caseload(request.user):
        raise Http404


@login_required
def on_call(request: SignedInRequest) -> HttpResponse:
    """Who is on call now and next in each of the person's programs, and, for the person on
    call, the caller lookup and the log."""
    _clinical(request)
    programs = list(queries.clinical_programs(request.user))
    ids = [program.pk for program in programs]
    now, following = queries.on_call_now(ids), queries.next_shifts(ids)
    rows = [(program, now.get(program.pk, []), following.get(program.pk)) for program in programs]
    after_hours = queries.recent_after_hours(request.user)
    # The calls' words are about clients: showing them is a read of their records.
    shown = sorted({call.client_id for call in after_hours if call.client_id is not None})
    if shown:
        audit_record(
            actor=request.user,
            action="list",
            object_type="after_hours_contacts",
            changes={"client_ids": shown},
        )
    return render(
        request,
        "safety/on_call.html",
        {
            "rows": rows,
            "shifts": queries.current_shifts(request.user),
            "search_form": CallerSearchForm(),
            "after_hours": after_hours,
            "supervisor": request.user.role == Role.SUPERVISOR,
        },
    )


def _program(request: SignedInRequest, program_id: int) -> Program:
    program = queries.clinical_programs(request.user).filter(pk=program_id).first()
    if program is None:
        raise Http404
    return program


@login_required
def on_call_roster(request: SignedInRequest, program_id: int) -> HttpResponse:
    """A program's shifts to come; its supervisors add shifts here."""
    program = _program(request, program_id)
    manages = queries.may_manage_roster(request.user, program)
    if request.method == "POST" and not manages:
        raise Http404
    form = ShiftForm(request.POST or None, candidates=queries.roster_candidates(program))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.shift_add(
                    program=program,
                    user=data["user"],
                    starts_at=data["starts_at"],
                    ends_at=data["ends_at"],
                    handover_note=data["handover_note"],
                    by=request.user,
                )
            except ValidationError as error:
                apply_errors(form, _on_form_fields(error))
            else:
                messages.success(request, "Shift added to the roster.")
                return redirect("on_call_roster", program_id=program.pk)
        status = 400
    return render(
        request,
        "safety/roster.html",
        {
            "program": program,
            "shifts": queries.upcoming_shifts(program),
            "form": form if manages else None,
            "manages": manages,
            "now": timezone.now(),
        },
        status=status,
    )


def _on_form_fields(error: ValidationError) -> ValidationError:
    """The service names moments (starts_at); the form asks for a date and a time."""
    if not hasattr(error, "error_dict"):
        return error
    moved = {"starts_at": "start_date", "ends_at": "end_date", "at": "date"}
    return ValidationError(
        {moved.get(field, field): errors for field, errors in error.error_dict.items()}
    )


def _shift(request: SignedInRequest, shift_id: int) -> OnCallShift:
    shift = queries.shift_of(request.user, shift_id)
    if shift is None:
        raise Http404
    return shift


@login_required
@require_POST
def on_call_shift_remove(request: SignedInRequest, shift_id: int) -> HttpResponse:
    shift = _shift(request, shift_id)
    if not queries.may_manage_roster(request.user, shift.program):
        raise Http404
    try:
        services.shift_remove(shift=shift, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Shift taken off the roster.")
    return redirect("on_call_roster", program_id=shift.program_id)


@login_required
def on_call_handover(request: SignedInRequest, shift_id: int) -> HttpResponse:
    """The person on the shift, or a supervisor of the program, writes the hand-over note."""
    shift = _shift(request, shift_id)
    if shift.user_id != request.user.pk and not queries.may_manage_roster(
        request.user, shift.program
    ):
        raise Http404
    form = HandoverForm(request.POST or None, initial={"handover_note": shift.handover_note})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.shift_handover(
                    shift=shift, by=request.user, note=form.cleaned_data["handover_note"]
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, "Hand-over note saved.")
                return redirect("on_call")
        status = 400
    return render(request, "safety/handover.html", {"shift": shift, "form": form}, status=status)


@login_required
def on_call_find(request: SignedInRequest) -> HttpResponse:
    """The on-call worker looks up a caller among the clients of the programs they are on call
    for. The search is audited as a list (how many found, not what was typed)."""
    if request.user.role not in services.ON_CALL_ROLES or not may_have_caseload(request.user):
        raise Http404
    shifts = queries.current_shifts(request.user)
    # Searches travel in the request body, never the URL: a search term is often a name.
    form = CallerSearchForm(request.POST or None)
    found: list[Client] = []
    searched = False
    if shifts and form.is_bound and form.is_valid() and form.cleaned_data["q"]:
        searched = True
        found = queries.on_call_search(request.user, form.cleaned_data["q"])
        audit_record(
            actor=request.user,
            action="list",
            object_type="on_call_search",
            changes={"found": [client.pk for client in found]},
        )
    return render(
        request,
        "safety/find.html",
        {"form": form, "shifts": shifts, "found": found, "searched": searched},
    )


@login_required
def on_call_client(request: SignedInRequest, client_id: int) -> HttpResponse:
    """What the on-call worker reads about a caller, read-only: the safety plan in effect and the
    last two weeks of contacts. Allowed by the `safety.on_call` rule, never by emergency access;
    every opening is audited as on-call access and the first of a shift goes on the timeline."""
    client = queries.on_call_client(request.user, client_id)
    if client is None:
        raise Http404("No client found")
    shift = queries.current_shift_for(request.user, client.program_id)
    if shift is None:  # the shift ended between the two reads
        raise Http404("No client found")
    services.on_call_open(client=client, by=request.user, shift=shift)
    plan = queries.plan_in_effect(client)
    return render(
        request,
        "safety/on_call_client.html",
        {
            "client": client,
            "plan": plan,
            "sections": plan.sections() if plan else [],
            "contacts": queries.recent_contacts(client),
            "days": queries.RECENT_DAYS,
        },
    )


def _log_programs(request: SignedInRequest) -> list[tuple[int, str]]:
    """The programs the person may log a call for: those they are on call for now, and those
    they supervise."""
    choices = {
        shift.program_id: shift.program.name for shift in queries.current_shifts(request.user)
    }
    if request.user.role == Role.SUPERVISOR:
        choices.update(dict(queries.clinical_programs(request.user).values_list("pk", "name")))
    return sorted(choices.items(), key=lambda pair: pair[1])


def _log_client(request: SignedInRequest, raw: object) -> Client:
    """The client a call is logged against: one the person may open on call, or (a supervisor)
    one of their programs' clients. Anything else is not found."""
    client_id = parse_id(raw)
    if client_id is None:
        raise Http404("No client found")
    client = queries.log_client(request.user, client_id)
    if client is None:
        raise Http404("No client found")
    return client


@login_required
def after_hours_new(request: SignedInRequest) -> HttpResponse:
    """Log an after-hours call, about a client (from the on-call view) or not."""
    _clinical(request)
    programs = _log_programs(request)
    if not programs:
        raise Http404
    raw_client = (
        request.POST.get("client") if request.method == "POST" else request.GET.get("client")
    )
    client = _log_client(request, raw_client) if raw_client else None
    if client is not None:
        audit_record(
            actor=request.user,
            action="view",
            client_id=client.pk,
            object_type="after_hours_contact_form",
        )
        programs = [(pk, name) for pk, name in programs if pk == client.program_id]
        if not programs:
            raise Http404("No client found")
    form = AfterHoursForm(request.POST or None, programs=programs)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            program = queries.program_of(request.user, data["program"])
            if program is None:  # the form offers only the person's programs
                raise Http404
            try:
                contact = services.after_hours_record(
                    program=program,
                    by=request.user,
                    at=data["at"],
                    caller=data["caller"],
                    what_happened=data["what_happened"],
                    what_was_done=data["what_was_done"],
                    follow_up_needed=data["follow_up_needed"],
                    client=client,
                )
            except ValidationError as error:
                apply_errors(form, _on_form_fields(error))
            else:
                messages.success(
                    request,
                    "Call logged."
                    + (" The case manager will see it in the morning." if contact.client else ""),
                )
                return redirect("on_call")
        status = 400
    return render(
        request, "safety/after_hours_form.html", {"form": form, "client": client}, status=status
    )

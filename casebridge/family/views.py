"""Intervention planning pages: the plans a person reads, starting one, and one plan's page
with its parts (the day, the reserved place, the people and their letters, the education
sessions, the outcome). Who reads what: family.access; every rule: family.services."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from casebridge.access.policy import Action, may
from casebridge.accounts.http import SignedInRequest
from casebridge.audit.models import AuditEvent
from casebridge.audit.services import audit_event, audit_record
from casebridge.clients.models import Client
from casebridge.clients.queries import (
    client_for,
    client_page,
    client_read,
    record_reads,
    user_may,
)
from casebridge.clients.services import DuplicateClientError
from casebridge.family import queries, services
from casebridge.family.access import may_start_plans
from casebridge.family.forms import (
    FamilyContactForm,
    GroupVisitForm,
    OutcomeForm,
    ParticipantForm,
    PlanForm,
    PlanStartForm,
    SessionForm,
)
from casebridge.family.models import OUTCOME_MOVES, InterventionPlan, Outcome, Participant
from casebridge.formtools import apply_errors, save_versioned


def _conflict(form: Any, conflict: object) -> int:
    """409 with a word at the top when someone else saved in between (the typing stays, over
    the version as it now is); 400 otherwise."""
    if conflict is None:
        return 400
    form.add_error(
        None, "Someone else saved this in between: read it as it now is, then save again."
    )
    return 409


def _plan(request: SignedInRequest, plan_id: int) -> InterventionPlan:
    plan = queries.plan_for(request.user, plan_id)
    if plan is None:
        raise Http404
    return plan


def _plan_form(plan: InterventionPlan, data: object = None, *, lead: bool = True) -> PlanForm:
    held = timezone.localtime(plan.held_at) if plan.held_at else None
    form = PlanForm(
        data,
        prefix="plan",
        initial={
            "day": held.date() if held else None,
            "time": held.time().replace(second=0, microsecond=0) if held else None,
            "place": plan.place,
            "transport": plan.transport,
            "service": plan.service_id,
            "admission_on": plan.admission_on,
            "if_refused": plan.if_refused,
            "team": [m.pk for m in plan.team.all()],
            "version": plan.version,
        },
        services=queries.directory_services(plan),
        staff=queries.team_choices(plan),
    )
    if not lead:
        del form.fields["team"]  # the team reads the letters: the lead's to choose
    return form


def _outcome_form(plan: InterventionPlan, data: object = None) -> OutcomeForm:
    return OutcomeForm(
        data,
        prefix="outcome",
        initial={
            "outcome_on": timezone.localdate(),
            "date_of_birth": plan.date_of_birth,
            "version": plan.version,
        },
        choices=OUTCOME_MOVES.get(plan.outcome, frozenset()),
    )


def _page(
    request: SignedInRequest, plan: InterventionPlan, *, status: int = 200, **forms: Any
) -> HttpResponse:
    letters = may(request.user, "family.read_letters", plan)
    planning = plan.outcome == Outcome.PLANNING
    context = {
        "plan": plan,
        "letters": letters,
        "planning": planning,
        **queries.plan_parts(plan),
        "plan_form": forms.get("plan_form")
        or (_plan_form(plan, lead=plan.lead_id == request.user.pk) if planning else None),
        "person_form": forms.get("person_form")
        or (ParticipantForm(prefix="person") if planning else None),
        "session_form": forms.get("session_form")
        or SessionForm(prefix="session", initial={"held_on": timezone.localdate()}),
        "outcome_form": forms.get("outcome_form")
        or (_outcome_form(plan) if OUTCOME_MOVES.get(plan.outcome) else None),
    }
    person_form = context["person_form"]
    if not letters and person_form is not None and "letter" in person_form.fields:
        del person_form.fields["letter"]
    return render(request, "family/plan.html", context, status=status)


@login_required
def plan_list(request: SignedInRequest) -> HttpResponse:
    page = queries.plan_list(request.user, request.GET.get("page"))
    plans = list(page.object_list)
    may_start = may_start_plans(request.user)
    if not plans and not may_start:
        raise Http404
    # A list of people of concern (and of the clients some became) is a read, as a caseload is.
    audit_record(
        actor=request.user,
        action="list",
        object_type=services.OBJECT_TYPE,
        changes={
            "plans": [p.pk for p in plans],
            "client_ids": sorted(p.client_id for p in plans if p.client_id),
        },
    )
    return render(
        request, "family/plans.html", {"plans": plans, "page": page, "may_start": may_start}
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_new(request: SignedInRequest) -> HttpResponse:
    if not may_start_plans(request.user):
        raise Http404
    programs = queries.starting_programs(request.user)
    form = PlanStartForm(request.POST or None, programs=programs)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                plan = services.plan_start(by=request.user, **form.cleaned_data)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, "Saved: the plan is started.")
                return redirect("intervention_plan", plan_id=plan.pk)
    return render(request, "family/plan_new.html", {"form": form}, status=status)


@login_required
def plan_detail(request: SignedInRequest, plan_id: int) -> HttpResponse:
    return _page(request, _plan(request, plan_id))


@login_required
@require_POST
def plan_edit(request: SignedInRequest, plan_id: int) -> HttpResponse:
    plan = _plan(request, plan_id)
    form = _plan_form(plan, request.POST, lead=plan.lead_id == request.user.pk)
    status = 400
    if form.is_valid():
        attempt = save_versioned(
            form,
            lambda: services.plan_update(
                plan=plan,
                by=request.user,
                version=form.cleaned_data["version"],
                team=form.cleaned_data.get("team"),
                **form.plan_fields(),
            ),
            record=plan,
        )
        if attempt.saved:
            messages.success(request, "Saved: the plan for the day.")
            return redirect("intervention_plan", plan_id=plan.pk)
        status = _conflict(form, attempt.conflict)
    return _page(request, plan, status=status, plan_form=form)


@login_required
@require_POST
def person_add(request: SignedInRequest, plan_id: int) -> HttpResponse:
    plan = _plan(request, plan_id)
    form = ParticipantForm(request.POST, prefix="person")
    if not may(request.user, "family.read_letters", plan):
        del form.fields["letter"]
    if form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            services.participant_add(plan=plan, by=request.user, **data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Saved: {data['name']} is taking part.")
            return redirect("intervention_plan", plan_id=plan.pk)
    return _page(request, plan, status=400, person_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def person_edit(request: SignedInRequest, plan_id: int, person_id: int) -> HttpResponse:
    plan = _plan(request, plan_id)
    person = plan.people.filter(pk=person_id).first()
    if person is None:
        raise Http404
    letters = may(request.user, "family.read_letters", plan)
    form = ParticipantForm(
        request.POST or None,
        instance=Participant(**{f: getattr(person, f) for f in services.PARTICIPANT_FIELDS}),
        initial={"version": person.version},
    )
    if not letters:
        del form.fields["letter"]
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            fields = {name: form.cleaned_data[name] for name in form.fields if name != "version"}
            attempt = save_versioned(
                form,
                lambda: services.participant_update(
                    participant=person,
                    by=request.user,
                    version=form.cleaned_data["version"],
                    **fields,
                ),
                record=person,
            )
            if attempt.saved:
                messages.success(request, f"Saved: {person.name}'s part.")
                return redirect("intervention_plan", plan_id=plan.pk)
            status = _conflict(form, attempt.conflict)
    return render(
        request,
        "family/person.html",
        {"plan": plan, "person": person, "form": form, "letters": letters},
        status=status,
    )


@login_required
@require_POST
def session_add(request: SignedInRequest, plan_id: int) -> HttpResponse:
    plan = _plan(request, plan_id)
    form = SessionForm(request.POST, prefix="session")
    if form.is_valid():
        try:
            services.session_record(plan=plan, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Saved: the education session.")
            return redirect("intervention_plan", plan_id=plan.pk)
    return _page(request, plan, status=400, session_form=form)


@login_required
@require_POST
def plan_outcome(request: SignedInRequest, plan_id: int) -> HttpResponse:
    plan = _plan(request, plan_id)
    form = _outcome_form(plan, request.POST)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            attempt = save_versioned(
                form,
                lambda: services.outcome_record(
                    plan=plan,
                    by=request.user,
                    version=data["version"],
                    outcome=data["outcome"],
                    outcome_on=data["outcome_on"],
                    note=data["note"],
                    date_of_birth=data["date_of_birth"],
                    confirm_new_person=data["confirm_new_person"],
                ),
                record=plan,
            )
        except DuplicateClientError:
            form.add_error(
                "confirm_new_person",
                "A client with this name and date of birth is already registered. Check the "
                "caseload; if this is someone else, tick the box and save again.",
            )
        else:
            if attempt.saved:
                plan.refresh_from_db()
                if plan.client_id:
                    messages.success(
                        request,
                        "Saved: the person accepted help and is now a client in Engagement, "
                        "with the family as contacts.",
                    )
                    return redirect("client_overview", client_id=plan.client_id)
                messages.success(request, "Saved: the outcome.")
                return redirect("intervention_plan", plan_id=plan.pk)
            status = _conflict(form, attempt.conflict)
    return _page(request, plan, status=status, outcome_form=form)


# A client's family


def _family_page(
    request: SignedInRequest,
    client: Client,
    *,
    contact_form: FamilyContactForm | None = None,
    group_form: GroupVisitForm | None = None,
    status: int = 200,
    opened: AuditEvent | None = None,
) -> HttpResponse:
    """`opened`: the read of the client's record, written with the page's own read."""
    today = timezone.localdate()
    family = queries.family_of(client, today)
    contacts = queries.family_contacts(client, request.GET.get("page"))
    record_reads(
        opened,
        audit_event(
            actor=request.user,
            action="view",
            client_id=client.pk,
            object_type="family_contact",
            changes={"contacts": [c.pk for c in contacts]},
        ),
    )
    people = queries.family_collaterals(client)
    records = user_may(request.user, client, Action.RECORD_CONTACT)
    context = client_page(
        request.user,
        client,
        "family_client",
        family=family,
        contacts=contacts,
        contact_form=contact_form
        or (
            FamilyContactForm(prefix="contact", family=people, initial={"held_on": today})
            if records
            else None
        ),
        group_form=group_form
        or (
            GroupVisitForm(prefix="group", family=people, initial={"attended_on": today})
            if records
            else None
        ),
    )
    return render(request, "family/client.html", context, status=status)


@login_required
def family_client(request: SignedInRequest, client_id: int) -> HttpResponse:
    client = client_for(
        user=request.user, client_id=client_id, action=Action.READ_CLINICAL, audit=False
    )
    return _family_page(
        request, client, opened=client_read(request.user, client, Action.READ_CLINICAL)
    )


@login_required
@require_POST
def family_contact_add(request: SignedInRequest, client_id: int) -> HttpResponse:
    client = client_for(user=request.user, client_id=client_id, action=Action.RECORD_CONTACT)
    form = FamilyContactForm(
        request.POST, prefix="contact", family=queries.family_collaterals(client)
    )
    if form.is_valid():
        try:
            services.family_contact_record(client=client, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Saved: the contact with the family.")
            return redirect("family_client", client_id=client.pk)
    return _family_page(request, client, contact_form=form, status=400)


@login_required
@require_POST
def family_group_add(request: SignedInRequest, client_id: int) -> HttpResponse:
    client = client_for(user=request.user, client_id=client_id, action=Action.RECORD_CONTACT)
    form = GroupVisitForm(request.POST, prefix="group", family=queries.family_collaterals(client))
    if form.is_valid():
        try:
            services.group_visit_record(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Saved: the group.")
            return redirect("family_client", client_id=client.pk)
    return _family_page(request, client, group_form=form, status=400)

"""The Care plan tab: draft from the assessment, edit the draft, sign, review, compare versions,
print, and the task lists.

A draft is built on its own page: each need, goal, step and action has a page of its own (for
browsers without script), which htmx opens in place on the plan page instead, swapping the
plan's editable region back after each change."""

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from casebridge.access.policy import Action, may, role_actions
from casebridge.accounts.http import SignedInRequest
from casebridge.accounts.models import User
from casebridge.assessments.biopsychosocial import LEVEL_NAMES, NEED_DOMAINS, NEED_SEVERITY
from casebridge.audit.services import audit_record, record_print
from casebridge.audit.versions import VersionConflict
from casebridge.clients.models import Client
from casebridge.clients.queries import allowed_actions, client_for, client_page
from casebridge.formtools import apply_errors, error_text, offer_latest
from casebridge.inputs import parse_id
from casebridge.plans import pdf, printing, queries, services
from casebridge.plans.documents import compare, plan_document
from casebridge.plans.extensions import plan_links
from casebridge.plans.forms import (
    ClientSignatureForm,
    GoalForm,
    InterventionForm,
    ObjectiveForm,
    ProblemForm,
    ReasonForm,
    ReviewForm,
    TaskCloseForm,
)
from casebridge.plans.models import CarePlan, Goal, Intervention, Objective, PlanTask, Problem
from casebridge.plans.statuses import PlanStatus

ELEMENTS: dict[str, tuple[type[Any], type[Any], str]] = {
    "need": (Problem, ProblemForm, "need"),
    "goal": (Goal, GoalForm, "goal"),
    "step": (Objective, ObjectiveForm, "step"),
    "action": (Intervention, InterventionForm, "action"),
}


# A form posted from a page that no longer matches the plan (or made up): nothing is changed.
OUT_OF_DATE = "This page was out of date, so nothing was changed. Look at the plan again and retry."
NOT_REMOVED = "This page was out of date, so nothing was removed. Look at the plan again and retry."
GONE = "That part of the plan is no longer there. This is the plan as it is now."
LOCKED = "This version is signed or no longer a draft; it cannot change."

# What is said after a change in place ("Goal added."), by kind.
KIND_NAMES = {"need": "Need", "goal": "Goal", "step": "Step", "action": "Action"}

# What gets focus after the plan region is swapped: an element ("goal-12") or the link that
# adds one ("add-step-12", "add-need").
FOCUS = re.compile(r"(need|goal|step|action|add-need|add-goal|add-step|add-action)(?:-(\d{1,9}))?")


def _page(request: SignedInRequest, client: Client, **extra: Any) -> dict[str, Any]:
    return client_page(request.user, client, "plan_home", **extra)


def _plan(client: Client, plan_id: int) -> CarePlan:
    plan = queries.plan_of(client, plan_id)
    if plan is None:
        raise Http404
    return plan


def _tree_with_progress(plan: CarePlan, viewer: Any = None) -> list[dict[str, Any]]:
    """The version's needs and goals, each goal with its latest progress rating and, for a
    viewer, what other capabilities say became of each goal and action (plans.extensions)."""
    tree = queries.plan_tree(plan)
    progress = queries.latest_progress(plan, tree)
    links = plan_links(plan, viewer) if viewer is not None else {}
    for entry in tree:
        for goal in entry["goals"]:
            goal["progress"] = progress.get(goal["goal"].key)
            goal["links"] = links.get(goal["goal"].key, [])
            for intervention in goal["interventions"]:
                intervention.links = links.get(intervention.key, [])
    return tree


def _plan_context(plan: CarePlan, viewer: Any = None) -> dict[str, Any]:
    signatures = list(plan.signatures.select_related("recorded_by"))
    return {
        "plan": plan,
        "tree": _tree_with_progress(plan, viewer),
        "signatures": signatures,
        "signed_roles": {s.role for s in signatures},
        "required": services.required_signers(plan),
        "unfinished": services.unfinished(plan) if plan.status == PlanStatus.DRAFT else [],
        "level_names": LEVEL_NAMES,
    }


@login_required
def plan_home(request: SignedInRequest, client_id: int) -> HttpResponse:
    client = client_for(user=request.user, client_id=client_id, action=Action.READ_CLINICAL)
    versions = queries.versions(client)
    open_versions = {v.status: v for v in versions if v.status in {"active", "draft"}}
    current = open_versions.get(PlanStatus.ACTIVE) or open_versions.get(PlanStatus.DRAFT)
    tasks = queries.open_tasks(client)
    context = _page(
        request,
        client,
        versions=versions,
        tasks=tasks,
        stranded=queries.stranded_owners(client, tasks),
        recent_tasks=queries.recently_closed_tasks(client),
    )
    if current is None:
        context["latest_assessment"] = services.latest_signed_assessment(client)
    else:
        context.update(
            plan=current,
            tree=_tree_with_progress(current, request.user),
            draft=open_versions.get(PlanStatus.DRAFT),
            review_due=queries.review_due(current, client),
        )
    return render(request, "plans/plan_home.html", context)


@login_required
@require_POST
def plan_start(request: SignedInRequest, client_id: int) -> HttpResponse:
    client = client_for(user=request.user, client_id=client_id, action=Action.PLAN)
    try:
        plan = services.plan_start(client=client, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("plan_home", client_id=client.pk)
    messages.success(request, "Draft plan started from the assessment.")
    return redirect("plan_detail", client_id=client.pk, plan_id=plan.pk)


@login_required
@vary_on_headers("HX-Request")
def plan_detail(request: SignedInRequest, client_id: int, plan_id: int) -> HttpResponse:
    if request.htmx:
        # In place, only the draft's editable region is asked for (Cancel on an open form).
        client = client_for(user=request.user, client_id=client_id, action=Action.PLAN)
        plan = _plan(client, plan_id)
        return _editor(request, client, plan, focus=_focus(request.GET.get("focus")))
    client = client_for(user=request.user, client_id=client_id, action=Action.READ_CLINICAL)
    plan = _plan(client, plan_id)
    form = ClientSignatureForm(initial={"version": plan.version, "name": client.legal_name})
    return _detail_page(request, client, plan, form)


def _detail_page(
    request: SignedInRequest, client: Client, plan: CarePlan, signature_form: Any, status: int = 200
) -> HttpResponse:
    """One version with its signatures, reviews and the forms to sign, revise or close it."""
    context = _plan_context(plan, request.user)
    context.update(
        reviews=list(plan.reviews.select_related("reviewed_by").prefetch_related("ratings__goal")),
        signature_form=signature_form,
        # One person gives one staff signature: the case manager's or the supervisor's.
        staff_signed=any(
            sig.recorded_by_id == request.user.pk and sig.role != "client"
            for sig in context["signatures"]
        ),
        reason_form=ReasonForm(),
        from_assessment=_from_assessment(plan),
    )
    return render(
        request, "plans/plan_detail.html", _page(request, client, **context), status=status
    )


def _from_assessment(plan: CarePlan) -> dict[str, Any] | None:
    """What a draft is built from, to keep beside it: the needs the assessment rated (the most
    pressing first), the client's strengths and resources, and what the client wants."""
    assessment = plan.assessment
    if assessment is None or plan.is_locked:
        return None
    severity = dict(NEED_SEVERITY)
    needs = []
    for domain, label in NEED_DOMAINS:
        need = assessment.needs.get(domain) or {}
        rated = need.get("severity")
        if isinstance(rated, int) and rated > 0:
            needs.append((rated, label, severity.get(rated, ""), need.get("reason") or ""))
    needs.sort(key=lambda need: -need[0])
    section = assessment.sections.get("strengths") or {}
    strengths = [
        (label, section[key])
        for key, label in (
            ("strengths", "Strengths"),
            ("resources", "Resources"),
            ("recovery_supports", "Recovery supports"),
        )
        if section.get(key)
    ]
    return {
        "assessment": assessment,
        "needs": needs,
        "strengths": strengths,
        "wants": (assessment.sections.get("goals") or {}).get("own_words", ""),
    }


def _draft_error(request: SignedInRequest, form: Any, error: Exception) -> None:
    if isinstance(error, VersionConflict):
        form.add_error(
            None, f"{error} Reload the plan to see their changes, then make yours again."
        )
    elif isinstance(error, services.PlanLocked):
        form.add_error(None, str(error))
    elif isinstance(error, ValidationError):
        apply_errors(form, error)


@login_required
@vary_on_headers("HX-Request")
def plan_element(
    request: SignedInRequest, client_id: int, plan_id: int, kind: str, element_id: int | None = None
) -> HttpResponse:
    """Add or change one need, goal, step or action of a draft: on its own page, or in place on
    the plan page (htmx), where the same form opens beside what it belongs to."""
    if kind not in ELEMENTS:
        raise Http404
    client = client_for(user=request.user, client_id=client_id, action=Action.PLAN)
    plan = _plan(client, plan_id)
    model, form_class, _ = ELEMENTS[kind]
    in_place = bool(request.htmx)
    try:
        element = None if element_id is None else queries.element_of(plan, model, element_id)
        if element_id is not None and element is None:
            raise Http404
        if plan.is_locked:
            return _locked(request, client, plan)
        parent_goal = _parent_goal(request, plan, kind, element)
    except Http404:
        if not in_place:
            raise
        # Removed meanwhile (by someone else, or on another tab): show the plan as it is now.
        return _editor(request, client, plan, said=GONE, failed=True)
    initial = _initial(kind, element, plan, request)
    kwargs = {"plan": plan} if kind in {"goal", "action"} else {}
    form = form_class(request.POST or None, initial=initial, **kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            saved = _save(plan, request.user, kind, form, element, parent_goal)
        except VersionConflict as error:
            if not in_place:
                _draft_error(request, form, error)
            else:
                # The plan around the form is swapped in as it now is; the typed values stay,
                # and a second save is a choice made after seeing it.
                plan.refresh_from_db(fields=["version"])
                form.add_error(None, OUT_OF_DATE)
                offer_latest(form, plan.version)
        except services.PlanLocked as error:
            if in_place:
                return _locked(request, client, plan)
            _draft_error(request, form, error)
        except ValidationError as error:
            _draft_error(request, form, error)
        else:
            if in_place:
                plan.refresh_from_db(fields=["version"])
                done = "changed" if element is not None else "added"
                return _editor(
                    request,
                    client,
                    plan,
                    focus=(kind, saved.pk),
                    said=f"{KIND_NAMES[kind]} {done}.",
                )
            messages.success(request, "Saved.")
            anchor = (
                f"#goal-{saved.goal_id}" if kind in {"step", "action"} else f"#{kind}-{saved.pk}"
            )
            return redirect(reverse("plan_detail", args=[client.pk, plan.pk]) + anchor)
    opened = _open_form(request, plan, form, kind, element, parent_goal)
    if in_place:
        return _editor(request, client, plan, opened=opened)
    return render(
        request,
        "plans/element_form.html",
        _page(
            request,
            client,
            plan=plan,
            form=form,
            kind=kind,
            element=element,
            parent_goal=parent_goal,
            opened=opened,
        ),
    )


def _save(
    plan: CarePlan, by: User, kind: str, form: Any, element: Any, parent_goal: Goal | None
) -> Any:
    """Hand a valid form to the service that saves its kind of element."""
    data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
    element_key = {
        "need": "problem_id",
        "goal": "goal_id",
        "step": "objective_id",
        "action": "intervention_id",
    }[kind]
    if element is not None:
        data[element_key] = element.pk
    if kind in {"step", "action"}:
        data["goal_id"] = parent_goal.pk if parent_goal else 0
    savers: dict[str, Callable[..., Any]] = {
        "need": services.problem_save,
        "goal": services.goal_save,
        "step": services.objective_save,
        "action": services.intervention_save,
    }
    return savers[kind](plan=plan, by=by, version=form.cleaned_data["version"], **data)


@dataclass(frozen=True)
class OpenForm:
    """The form for one element, and where it opens in the plan: `slot` names the place
    ("step-new", "goal-edit", ...) and `at` the need, goal or element there (0: the top)."""

    form: Any
    kind: str
    element: Any
    parent_goal: Goal | None
    slot: str
    at: int
    url: str
    title: str
    level: int
    strengths: str
    back: str  # what gets focus again on Cancel


TITLES = {
    "need": ("Add a need", "Change this need"),
    "goal": ("Add a goal", "Change this goal"),
    "step": ("Add a step", "Change this step"),
    "action": ("Add what will be done", "Change what will be done"),
}


def _open_form(
    request: SignedInRequest,
    plan: CarePlan,
    form: Any,
    kind: str,
    element: Any,
    parent: Goal | None,
) -> OpenForm:
    if element is not None:
        slot, at, back = f"{kind}-edit", element.pk, f"{kind}-{element.pk}"
    elif parent is not None:
        slot, at, back = f"{kind}-new", parent.pk, f"add-{kind}-{parent.pk}"
    elif kind == "goal":
        need = parse_id(request.GET.get("need")) or 0
        slot, at, back = "goal-new", need, f"add-goal-{need}" if need else "add-need"
    else:
        slot, at, back = "need-new", 0, "add-need"
    # Headings follow the tree's: needs are h3, goals h4, and a goal's steps and actions h5.
    level = {"need": 4, "goal": 5 if element is not None else 4, "step": 6, "action": 6}[kind]
    return OpenForm(
        form=form,
        kind=kind,
        element=element,
        parent_goal=parent,
        slot=slot,
        at=at,
        url=request.get_full_path(),
        title=TITLES[kind][element is not None],
        level=level,
        strengths=_strengths(plan) if kind == "goal" else "",
        back=back,
    )


def _focus(value: str | None) -> tuple[str, int] | None:
    found = FOCUS.fullmatch(value or "")
    if found is None:
        return None
    return found[1], int(found[2] or 0)


def _locked(request: SignedInRequest, client: Client, plan: CarePlan) -> HttpResponse:
    """A signed or closed version is not changed: back to it, with why."""
    messages.error(request, LOCKED)
    url = reverse("plan_detail", args=[client.pk, plan.pk])
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


def _editor(
    request: SignedInRequest,
    client: Client,
    plan: CarePlan,
    *,
    opened: OpenForm | None = None,
    focus: tuple[str, int] | None = None,
    said: str = "",
    failed: bool = False,
) -> HttpResponse:
    """The draft's editable region alone, for htmx to swap into the plan page: what is still
    missing, the tree with at most one open form, what was just done (for the status line), and
    the signing forms. Every form carries the plan's version, so all of them move on together.
    """
    if plan.is_locked:
        return _locked(request, client, plan)
    context = _plan_context(plan, request.user)
    context.update(
        client=client,
        # Every way here asked the policy for the PLAN action on this client.
        can={"plan": True},
        staff_signed=False,  # an editable draft has no signatures yet
        signature_form=ClientSignatureForm(initial={"version": plan.version}),
        opened=opened,
        focus=focus,
        said=said,
        failed=failed,
    )
    if opened is not None and opened.slot == "goal-new":
        needs = {entry["problem"].pk for entry in context["tree"]}
        if opened.at not in needs:  # no need chosen (or gone): the form opens at the top
            context["opened"] = replace(opened, at=0)
    return render(request, "plans/_plan_editor_swap.html", context)


def _parent_goal(request: SignedInRequest, plan: CarePlan, kind: str, element: Any) -> Goal | None:
    if kind not in {"step", "action"}:
        return None
    if element is not None:
        return element.goal
    goal_id = parse_id(request.GET.get("goal") or request.POST.get("goal"))
    goal = plan.goals.filter(pk=goal_id).first() if goal_id is not None else None
    if goal is None:
        raise Http404
    return goal


def _initial(kind: str, element: Any, plan: CarePlan, request: SignedInRequest) -> dict[str, Any]:
    initial: dict[str, Any] = {"version": plan.version}
    if element is None:
        need = parse_id(request.GET.get("need"))
        if kind == "goal" and need is not None:
            initial["problem_id"] = need
        return initial
    fields = {
        "need": ("need_domain", "statement"),
        "goal": ("problem_id", "own_words", "measurable", "term", "target_date", "strength"),
        "step": ("text", "target_date"),
        "action": ("action", "responsible", "provider_name", "frequency", "owner", "first_due_on"),
    }[kind]
    return initial | {name: getattr(element, name) for name in fields}


def _strengths(plan: CarePlan) -> str:
    if plan.assessment is None:
        return ""
    section = plan.assessment.sections.get("strengths", {})
    return "; ".join(v for v in (section.get("strengths"), section.get("resources")) if v)


@login_required
@require_POST
def plan_element_remove(
    request: SignedInRequest, client_id: int, plan_id: int, kind: str, element_id: int
) -> HttpResponse:
    if kind not in ELEMENTS:
        raise Http404
    client = client_for(user=request.user, client_id=client_id, action=Action.PLAN)
    plan = _plan(client, plan_id)
    if request.htmx:
        return _remove_in_place(request, client, plan, kind, element_id)
    version = parse_id(request.POST.get("version"))
    if version is None:
        messages.error(request, OUT_OF_DATE)
        return redirect("plan_detail", client_id=client.pk, plan_id=plan.pk)
    try:
        services.element_remove(
            plan=plan,
            by=request.user,
            version=version,
            kind=kind,
            element_id=element_id,
        )
    except VersionConflict as error:
        messages.error(request, f"{error} Nothing was removed; look again and retry.")
    except (services.PlanLocked, ValidationError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, "Removed.")
    return redirect("plan_detail", client_id=client.pk, plan_id=plan.pk)


def _remove_in_place(
    request: SignedInRequest, client: Client, plan: CarePlan, kind: str, element_id: int
) -> HttpResponse:
    """Remove from the plan page itself; focus goes to what held the removed element."""
    if plan.is_locked:
        return _locked(request, client, plan)
    element = queries.element_of(plan, ELEMENTS[kind][0], element_id)
    holder = {
        "need": ("add-need", 0),
        "goal": ("need", getattr(element, "problem_id", 0)),
        "step": ("goal", getattr(element, "goal_id", 0)),
        "action": ("goal", getattr(element, "goal_id", 0)),
    }[kind]
    version = parse_id(request.POST.get("version"))
    if version is None:
        return _editor(request, client, plan, said=NOT_REMOVED, failed=True)
    try:
        services.element_remove(
            plan=plan, by=request.user, version=version, kind=kind, element_id=element_id
        )
    except VersionConflict:
        return _editor(request, client, plan, said=NOT_REMOVED, failed=True)
    except services.PlanLocked:
        return _locked(request, client, plan)
    except ValidationError as error:
        return _editor(request, client, plan, said=" ".join(error.messages), failed=True)
    plan.refresh_from_db(fields=["version"])
    return _editor(request, client, plan, focus=holder, said=f"{KIND_NAMES[kind]} removed.")


@login_required
@require_POST
def plan_sign(request: SignedInRequest, client_id: int, plan_id: int) -> HttpResponse:
    client = client_for(user=request.user, client_id=client_id, action=Action.PLAN)
    plan = _plan(client, plan_id)
    role = request.POST.get("role", "")
    form = ClientSignatureForm(request.POST)
    if not form.is_valid() and role == "client":
        return _detail_page(request, client, plan, form, status=400)
    version = parse_id(request.POST.get("version"))
    if version is None:
        messages.error(request, OUT_OF_DATE)
        return redirect(reverse("plan_detail", args=[client.pk, plan.pk]) + "#signatures")
    try:
        if role == "client":
            services.plan_sign(
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
            services.plan_sign(plan=plan, by=request.user, version=version, role=role)
    except (VersionConflict, services.PlanLocked) as error:
        messages.error(request, str(error))
    except ValidationError as error:
        if role == "client" and hasattr(error, "error_dict"):
            apply_errors(form, error)
            return _detail_page(request, client, plan, form, status=400)
        messages.error(request, " ".join(error.messages))
    else:
        plan.refresh_from_db()
        messages.success(
            request,
            "Signed. The plan is now in effect."
            if plan.status == PlanStatus.ACTIVE
            else "Signed. The text of this version is now fixed.",
        )
    return redirect(reverse("plan_detail", args=[client.pk, plan.pk]) + "#signatures")


@login_required
@require_POST
def plan_revise(request: SignedInRequest, client_id: int, plan_id: int) -> HttpResponse:
    client = client_for(user=request.user, client_id=client_id, action=Action.PLAN)
    plan = _plan(client, plan_id)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, error_text(form, "reason"))
        return redirect("plan_detail", client_id=client.pk, plan_id=plan.pk)
    try:
        new = services.plan_revise(
            plan=plan, by=request.user, reason=form.cleaned_data.get("reason", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("plan_detail", client_id=client.pk, plan_id=plan.pk)
    messages.success(
        request, f"Version {new.sequence} drafted. The plan in effect stays until it is signed."
    )
    return redirect("plan_detail", client_id=client.pk, plan_id=new.pk)


@login_required
@require_POST
def plan_close(request: SignedInRequest, client_id: int, plan_id: int) -> HttpResponse:
    client = client_for(user=request.user, client_id=client_id, action=Action.PLAN)
    plan = _plan(client, plan_id)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, error_text(form, "reason"))
        return redirect("plan_detail", client_id=client.pk, plan_id=plan.pk)
    try:
        services.plan_close(plan=plan, by=request.user, reason=form.cleaned_data.get("reason", ""))
    except (ValidationError, services.PlanLocked) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, "Plan closed.")
    return redirect("plan_home", client_id=client.pk)


@login_required
def plan_review(request: SignedInRequest, client_id: int, plan_id: int) -> HttpResponse:
    client = client_for(user=request.user, client_id=client_id, action=Action.PLAN)
    plan = _plan(client, plan_id)
    if plan.status != PlanStatus.ACTIVE:
        messages.error(request, "Only the plan in effect can be reviewed.")
        return redirect("plan_detail", client_id=client.pk, plan_id=plan.pk)
    goals = list(plan.goals.all())
    due = queries.review_due(plan, client)
    initial = {
        "reason": "level_of_care" if due and due.because.startswith("Level") else "scheduled"
    }
    form = ReviewForm(request.POST or None, goals=goals, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            _, new_plan = services.review_record(
                plan=plan,
                by=request.user,
                reason=form.cleaned_data["reason"],
                summary=form.cleaned_data["summary"],
                outcome=form.cleaned_data["outcome"],
                ratings=form.ratings(),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Review recorded.")
            if new_plan is not None:
                return redirect("plan_detail", client_id=client.pk, plan_id=new_plan.pk)
            return redirect("plan_home", client_id=client.pk)
    return render(
        request,
        "plans/review_form.html",
        _page(request, client, plan=plan, form=form, review_due=due),
    )


@login_required
def plan_compare(request: SignedInRequest, client_id: int) -> HttpResponse:
    client = client_for(user=request.user, client_id=client_id, action=Action.READ_CLINICAL)
    versions = queries.versions(client)
    by_id = {str(p.pk): p for p in versions}
    older = by_id.get(request.GET.get("older", ""))
    newer = by_id.get(request.GET.get("newer", ""))
    if older is None and newer is None and len(versions) >= 2:
        newer, older = versions[0], versions[1]
    changes = None
    if older is not None and newer is not None:
        if older.sequence > newer.sequence:
            older, newer = newer, older
        changes = compare(plan_document(older), plan_document(newer))
    return render(
        request,
        "plans/compare.html",
        _page(
            request,
            client,
            versions=versions,
            older=older,
            newer=newer,
            changes=changes,
            older_tree=queries.plan_tree(older) if older else [],
            newer_tree=queries.plan_tree(newer) if newer else [],
        ),
    )


def _printed(request: SignedInRequest, client: Client, plan: CarePlan) -> printing.PrintedPlan:
    context = _plan_context(plan)
    return printing.printable(
        client=client,
        plan=plan,
        tree=context["tree"],
        signatures=context["signatures"],
        tasks=list(queries.tasks_for_client(client).filter(status="open", intervention__plan=plan)),
        lang=printing.language_for(client, request.GET.get("lang")),
    )


def _printed_for(
    request: SignedInRequest, client_id: int, plan_id: int, form: str
) -> tuple[Client, CarePlan, printing.PrintedPlan]:
    """The plan laid out for the client, with the printing on the audit trail."""
    client = client_for(user=request.user, client_id=client_id, action=Action.PLAN)
    plan = _plan(client, plan_id)
    printed = _printed(request, client, plan)
    record_print(
        actor=request.user,
        client_id=client.pk,
        object_type="care_plan",
        object_id=plan.pk,
        format=form,
        language=printed.lang,
    )
    return client, plan, printed


@login_required
def plan_print(request: SignedInRequest, client_id: int, plan_id: int) -> HttpResponse:
    client, plan, printed = _printed_for(request, client_id, plan_id, "page")
    return render(
        request, "plans/plan_print.html", {"client": client, "plan": plan, "printed": printed}
    )


@login_required
def plan_pdf(request: SignedInRequest, client_id: int, plan_id: int) -> HttpResponse:
    _, plan, printed = _printed_for(request, client_id, plan_id, "pdf")
    response = HttpResponse(pdf.plan_pdf(printed), content_type="application/pdf")
    # The file name carries no name or case number: only the version.
    response["Content-Disposition"] = f'attachment; filename="care-plan-v{plan.sequence}.pdf"'
    return response


# Writing the contact note of a task needs both: recording contacts and reading the note.
NOTE_ACTIONS = frozenset({Action.RECORD_CONTACT.value, Action.READ_CLINICAL.value})


def _contact_note_url(task: PlanTask) -> str:
    """The contact note form, started from the task (goal, kind of contact, now). Reached by
    its URL name: the plan does not know how contacts are recorded."""
    return reverse("note_new", kwargs={"client_id": task.client_id}) + f"?task={task.pk}"


@login_required
@require_POST
def task_close(request: SignedInRequest, client_id: int, task_id: int) -> HttpResponse:
    client = client_for(user=request.user, client_id=client_id, action=Action.VIEW)
    task = queries.task_of(client, task_id)
    if task is None:
        raise Http404
    if task.owner_id == request.user.pk:
        if not may(request.user, "plans.record_own_task", task):
            raise Http404
    else:
        # Someone else's task: only those who may change the plan close it for them.
        client_for(user=request.user, client_id=client_id, action=Action.PLAN, audit=False)
    form = TaskCloseForm(request.POST)
    record_contact = NOTE_ACTIONS.issubset(allowed_actions(request.user, client))
    # "Also write a contact note": ticked, the person goes on to the note started from the task.
    write_note = record_contact and request.POST.get("write_note") == "1"
    error = ""
    following = None
    if form.is_valid():
        try:
            following = services.task_close(
                task=task,
                by=request.user,
                done=form.cleaned_data["done"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as problem:
            error = " ".join(problem.messages)
    elif "done" in form.errors:
        error = "Choose whether it was done or missed."
    else:
        error = error_text(form, "note")
    # Only a task done leads to a contact note: a missed one is not a contact to write up.
    if not error and write_note and form.cleaned_data.get("done"):
        messages.success(request, "Task recorded. Now write the contact note for it.")
        if request.htmx:
            return HttpResponseClientRedirect(_contact_note_url(task))
        return redirect(_contact_note_url(task))
    if request.htmx:
        # Swap just this task's form: the result, or the form again with what is wrong.
        if error:
            return render(
                request,
                "plans/_task_close.html",
                {
                    "task": task,
                    "task_error": error,
                    "back": request.POST.get("back", ""),
                    "chosen": request.POST.get("done", ""),
                    "note": request.POST.get("note", ""),
                    "record_contact": record_contact,
                    "write_note": write_note,
                },
            )
        task.refresh_from_db()
        return render(
            request,
            "plans/_task_recorded.html",
            {"task": task, "following": following, "record_contact": record_contact},
        )
    if error:
        messages.error(request, error)
    elif record_contact and form.cleaned_data["done"]:
        messages.success(
            request,
            format_html(
                'Task recorded. <a href="{}">Record the contact for this</a>',
                _contact_note_url(task),
            ),
        )
    else:
        messages.success(request, "Task recorded.")
    if request.POST.get("back") == "my_tasks":
        return redirect("my_tasks")
    return redirect("plan_home", client_id=client.pk)


@login_required
@require_POST
def task_take_over(request: SignedInRequest, client_id: int) -> HttpResponse:
    client = client_for(user=request.user, client_id=client_id, action=Action.PLAN)
    owner_id = parse_id(request.POST.get("owner"))
    try:
        moved = services.tasks_take_over(
            client=client, from_owner_id=owner_id or 0, by=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{moved} task(s) are now on your list.")
    return redirect("plan_home", client_id=client.pk)


@login_required
def my_tasks(request: SignedInRequest) -> HttpResponse:
    tasks = list(queries.my_tasks(request.user))
    cosign = queries.awaiting_cosignature(request.user)
    # A list of clients' names is a read of their records, as the caseload is.
    audit_record(
        actor=request.user,
        action="list",
        object_type="my_tasks",
        changes={
            "client_ids": sorted({t.client_id for t in tasks} | {p.client_id for p in cosign})
        },
    )
    return render(
        request,
        "plans/my_tasks.html",
        {
            "tasks": tasks,
            "today": timezone.localdate(),
            "cosign": cosign,
            # The list holds only clients the person's role reaches, where its actions hold.
            "record_contact": NOTE_ACTIONS.issubset(role_actions(request.user)),
        },
    )

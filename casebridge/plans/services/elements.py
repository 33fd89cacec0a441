"""Editing a draft one element at a time (its needs, goals, steps and actions), and the rules
their content keeps.

The rules are one function per kind of element, answering {field: message}. The pages get
them through the save services (views put each message beside its field); the API gets the
same functions through `importing`, for every element of a document. So whatever one refuses
the other refuses, in the same words, and what one takes the other takes.
"""

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, QuerySet
from django.utils import timezone

from casebridge.accounts.models import CLINICAL_ROLES, User
from casebridge.assessments.biopsychosocial import NEED_DOMAINS
from casebridge.clients.queries import works_with
from casebridge.inputs import DATE_MESSAGE, EARLIEST_DATE, LATEST_DATE, text_problem
from casebridge.plans.documents import MOST_ELEMENTS, MULTILINE_FIELDS, TEXT_LIMITS
from casebridge.plans.models import (
    CarePlan,
    Frequency,
    Goal,
    GoalTerm,
    Intervention,
    Objective,
    Problem,
    Responsible,
)
from casebridge.plans.services.common import draft_for_change, draft_saved, plan_audit

NEED_LABELS = dict(NEED_DOMAINS)
OWNER_MESSAGE = "Choose an active staff member of this organisation."
# What each list of elements is called when a version holds too many.
ELEMENT_WORDS = {
    "problems": "needs",
    "goals": "goals",
    "objectives": "steps",
    "interventions": "actions",
}


# --- The rules ---------------------------------------------------------------------------------


def _required(errors: dict[str, str], name: str, value: str, message: str) -> None:
    """A text field that must be filled in (after trimming) and keep the house bounds."""
    if not value.strip():
        errors[name] = message
    else:
        _bounded(errors, name, value)


def _bounded(errors: dict[str, str], name: str, value: str) -> None:
    """The house bounds on a text field (casebridge.inputs), measured as it will be stored."""
    problem = text_problem(
        value.strip(), multiline=name in MULTILINE_FIELDS, max_length=TEXT_LIMITS[name]
    )
    if problem:
        errors[name] = problem


def _dated(errors: dict[str, str], name: str, value: date | None) -> None:
    if value is not None and not EARLIEST_DATE <= value <= LATEST_DATE:
        errors[name] = DATE_MESSAGE


def _one_of(errors: dict[str, str], name: str, value: str, allowed: Iterable[str]) -> None:
    allowed = list(allowed)
    if value not in allowed:
        errors[name] = f"Choose one of: {', '.join(allowed)}."


def need_errors(*, statement: str, need_domain: str) -> dict[str, str]:
    """What is wrong with a need, by field; empty when nothing is."""
    errors: dict[str, str] = {}
    _required(errors, "statement", statement, "Describe the need in a sentence.")
    if need_domain:  # none is "Other"
        _one_of(errors, "need_domain", need_domain, NEED_LABELS)
    return errors


def goal_errors(
    *,
    own_words: str,
    measurable: str,
    term: str,
    target_date: date | None,
    strength: str,
    today: date,
    was_target_date: date | None = None,
) -> dict[str, str]:
    """What is wrong with a goal, by field; empty when nothing is. `was_target_date` is the
    goal's target date before this change (none for a new goal)."""
    errors: dict[str, str] = {}
    _required(errors, "own_words", own_words, "Write the goal the way the client says it.")
    _required(
        errors,
        "measurable",
        measurable,
        "Say how you and the client will know the goal is reached.",
    )
    _bounded(errors, "strength", strength)
    _one_of(errors, "term", term, GoalTerm.values)
    if target_date is None:
        errors["target_date"] = "Choose a target date."
    else:
        _dated(errors, "target_date", target_date)
        # A new or moved target date must lie ahead. One kept as it was stays, even once it
        # has passed: a goal carried into a new version, or reworded, keeps its history, and
        # the review, not the editing, is where a missed date is talked about.
        if "target_date" not in errors and target_date < today and target_date != was_target_date:
            errors["target_date"] = "The target date has already passed."
    return errors


def step_errors(*, text: str, target_date: date | None) -> dict[str, str]:
    """What is wrong with a step (an objective), by field; empty when nothing is."""
    errors: dict[str, str] = {}
    _required(errors, "text", text, "Describe the step.")
    _dated(errors, "target_date", target_date)
    return errors


def owner_candidates(plan: CarePlan) -> QuerySet[User]:
    """Who may be named to keep track of an action: active clinical staff of the client's
    organisation. (Of these, only someone who works with the client can be saved.)"""
    return User.objects.filter(
        organisation_id=plan.client.organisation_id, is_active=True, role__in=CLINICAL_ROLES
    )


def owners_working_with(plan: CarePlan, owners: Iterable[User]) -> set[int]:
    """Of `owners`, those who work with the plan's client (and so would see their tasks)."""
    return {owner.pk for owner in owners if works_with(owner, plan.client_id)}


def _owner_problem(plan: CarePlan, owner: User, working: set[int] | None) -> str:
    if (
        not owner.is_active
        or owner.organisation_id != plan.client.organisation_id
        or owner.role not in CLINICAL_ROLES
    ):
        return OWNER_MESSAGE
    if working is None:
        working = owners_working_with(plan, [owner])
    if owner.pk not in working:
        return f"{owner.display_name} does not work with this client, so would not see the tasks."
    return ""


def action_errors(
    *,
    plan: CarePlan,
    action: str,
    responsible: str,
    provider_name: str,
    frequency: str,
    owner: User | None,
    first_due_on: date | None,
    working: set[int] | None = None,
) -> dict[str, str]:
    """What is wrong with an action (an intervention), by field; empty when nothing is.
    `working`: the ids of staff known to work with the client, when already looked up."""
    errors: dict[str, str] = {}
    _required(errors, "action", action, "Say what will be done.")
    _one_of(errors, "responsible", responsible, Responsible.values)
    _bounded(errors, "provider_name", provider_name)
    if responsible == Responsible.PROVIDER and not provider_name.strip():
        errors.setdefault("provider_name", "Name the provider or the referral.")
    _one_of(errors, "frequency", frequency, Frequency.values)
    if owner is not None:
        if frequency == Frequency.AS_NEEDED:
            errors["frequency"] = (
                "Tasks need a schedule: choose how often, or leave the staff member empty."
            )
        problem = _owner_problem(plan, owner, working)
        if problem:
            errors["owner"] = problem
    _dated(errors, "first_due_on", first_due_on)
    return errors


def too_many_message(related_name: str) -> str:
    most = MOST_ELEMENTS[related_name]
    return f"A plan version holds at most {most} {ELEMENT_WORDS[related_name]}; combine some."


def _refuse(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationError(errors)


# --- Saving ------------------------------------------------------------------------------------


def _element(model: type[Any], plan: CarePlan, element_id: int | None) -> Any:
    if element_id is None:
        return None
    element = model.objects.filter(plan=plan, pk=element_id).first()
    if element is None:
        raise ValidationError("That part of the plan is no longer there; reload the page.")
    return element


def _store(
    *, by: User, plan: CarePlan, element: Any, model: type[Any], values: dict[str, Any], kind: str
) -> tuple[Any, dict[str, Any]]:
    """Save one element (checked by its rules already), audited; returns it and its changes."""
    creating = element is None
    if creating:
        found = model.objects.filter(plan=plan).aggregate(last=Max("position"), count=Count("id"))
        related_name = model._meta.get_field("plan").remote_field.related_name
        if found["count"] >= MOST_ELEMENTS[related_name]:
            raise ValidationError(too_many_message(related_name))
        element = model(plan=plan, position=(found["last"] or 0) + 1)
    before = {name: str(getattr(element, name, "") or "") for name in values}
    for name, value in values.items():
        setattr(element, name, value)
    element.full_clean(exclude=["plan", "key"])
    element.save()
    after = {name: str(getattr(element, name, "") or "") for name in values}
    changes: dict[str, Any] = {
        name: [None if creating else before[name], after[name]]
        for name in values
        if creating or before[name] != after[name]
    }
    plan_audit(by, plan, "create" if creating else "update", f"plan_{kind}", element.pk, changes)
    return element, changes


def problem_save(
    *,
    plan: CarePlan,
    by: User,
    version: int,
    statement: str,
    need_domain: str = "",
    problem_id: int | None = None,
) -> Problem:
    statement, need_domain = (statement or "").strip(), need_domain or ""
    _refuse(need_errors(statement=statement, need_domain=need_domain))
    with transaction.atomic():
        current = draft_for_change(plan, version)
        problem, changes = _store(
            by=by,
            plan=current,
            element=_element(Problem, current, problem_id),
            model=Problem,
            values={"statement": statement, "need_domain": need_domain},
            kind="need",
        )
        draft_saved(current, by, changes)
    return problem


def goal_save(
    *,
    plan: CarePlan,
    by: User,
    version: int,
    problem_id: int,
    own_words: str,
    measurable: str,
    target_date: date | None,
    term: str,
    strength: str = "",
    goal_id: int | None = None,
) -> Goal:
    own_words, measurable = (own_words or "").strip(), (measurable or "").strip()
    strength = (strength or "").strip()
    was = (
        Goal.objects.filter(plan=plan, pk=goal_id).values_list("target_date", flat=True).first()
        if goal_id is not None
        else None
    )
    _refuse(
        goal_errors(
            own_words=own_words,
            measurable=measurable,
            term=term,
            target_date=target_date,
            strength=strength,
            today=timezone.localdate(),
            was_target_date=was,
        )
    )
    with transaction.atomic():
        current = draft_for_change(plan, version)
        problem = _element(Problem, current, problem_id)
        goal, changes = _store(
            by=by,
            plan=current,
            element=_element(Goal, current, goal_id),
            model=Goal,
            values={
                "problem": problem,
                "own_words": own_words,
                "measurable": measurable,
                "target_date": target_date,
                "term": term,
                "strength": strength,
            },
            kind="goal",
        )
        draft_saved(current, by, changes)
    return goal


def objective_save(
    *,
    plan: CarePlan,
    by: User,
    version: int,
    goal_id: int,
    text: str,
    target_date: date | None = None,
    objective_id: int | None = None,
) -> Objective:
    text = (text or "").strip()
    _refuse(step_errors(text=text, target_date=target_date))
    with transaction.atomic():
        current = draft_for_change(plan, version)
        objective, changes = _store(
            by=by,
            plan=current,
            element=_element(Objective, current, objective_id),
            model=Objective,
            values={
                "goal": _element(Goal, current, goal_id),
                "text": text,
                "target_date": target_date,
            },
            kind="step",
        )
        draft_saved(current, by, changes)
    return objective


def intervention_save(
    *,
    plan: CarePlan,
    by: User,
    version: int,
    goal_id: int,
    action: str,
    responsible: str,
    frequency: str,
    provider_name: str = "",
    owner: User | None = None,
    first_due_on: date | None = None,
    intervention_id: int | None = None,
) -> Intervention:
    action, provider_name = (action or "").strip(), (provider_name or "").strip()
    _refuse(
        action_errors(
            plan=plan,
            action=action,
            responsible=responsible,
            provider_name=provider_name,
            frequency=frequency,
            owner=owner,
            first_due_on=first_due_on,
        )
    )
    with transaction.atomic():
        current = draft_for_change(plan, version)
        intervention, changes = _store(
            by=by,
            plan=current,
            element=_element(Intervention, current, intervention_id),
            model=Intervention,
            values={
                "goal": _element(Goal, current, goal_id),
                "action": action,
                "responsible": responsible,
                "provider_name": provider_name,
                "owner": owner,
                "frequency": frequency,
                "first_due_on": first_due_on,
            },
            kind="action",
        )
        draft_saved(current, by, changes)
    return intervention


ELEMENT_MODELS: dict[str, type[Any]] = {
    "need": Problem,
    "goal": Goal,
    "step": Objective,
    "action": Intervention,
}


def element_remove(*, plan: CarePlan, by: User, version: int, kind: str, element_id: int) -> None:
    """Remove a need, goal, step or action from a draft (with what hangs under it)."""
    model = ELEMENT_MODELS[kind]
    with transaction.atomic():
        current = draft_for_change(plan, version)
        element = _element(model, current, element_id)
        plan_audit(
            by, current, "delete", f"plan_{kind}", element.pk, {"text": [str(element), None]}
        )
        element.delete()
        draft_saved(current, by, {kind: [str(element), None]})

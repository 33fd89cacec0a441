"""Every change to a care plan: drafting, signing and putting in effect, new versions, reviews,
closing, and the tasks interventions turn into. One transaction each; every change audited.

A draft is edited element by element; each save carries the draft's `version` and is refused
when someone else saved in between. The first signature fixes the text: from then on nothing
in that version changes, and a change means a new version.
"""

import uuid
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Max
from django.utils import timezone

from casebridge.accounts.models import Role, User
from casebridge.assessments.biopsychosocial import NEED_DOMAINS
from casebridge.assessments.models import Assessment, AssessmentStatus
from casebridge.audit.services import audit_record
from casebridge.clients.models import Client
from casebridge.clients.queries import works_with
from casebridge.clients.services import timeline_add
from casebridge.inputs import (
    DATE_MESSAGE,
    EARLIEST_DATE,
    LATEST_DATE,
    check_drawn_signature,
    parse_date,
    text_problem,
)
from casebridge.plans.documents import (
    GOAL_FIELDS,
    INTERVENTION_FIELDS,
    MOST_ELEMENTS,
    MULTILINE_FIELDS,
    OBJECTIVE_FIELDS,
    PROBLEM_FIELDS,
    TEXT_LIMITS,
)
from casebridge.plans.models import (
    FREQUENCY_DAYS,
    CarePlan,
    Frequency,
    Goal,
    GoalProgress,
    Intervention,
    Objective,
    PlanReview,
    PlanRules,
    PlanSignature,
    PlanTask,
    Problem,
    Progress,
    ReviewOutcome,
    SignatureMethod,
    SignerRole,
    TaskStatus,
    TimelineKind,
)
from casebridge.plans.statuses import PlanStatus, may_move

# Needs rated moderate (2) or high (3) in the assessment become the plan's first needs.
NEEDS_FROM_SEVERITY = 2
NEED_LABELS = dict(NEED_DOMAINS)


class PlanLocked(Exception):
    """This version is signed or no longer a draft; changes need a new version."""


class StalePlan(Exception):
    """Someone else saved this draft since it was opened."""


def _audit(
    by: Any, plan: CarePlan, action: str, object_type: str, object_id: Any, changes: dict[str, Any]
) -> None:
    audit_record(
        actor=by,
        action=action,
        client_id=plan.client_id,
        object_type=object_type,
        object_id=object_id,
        changes=changes,
    )


def latest_signed_assessment(client: Client) -> Assessment | None:
    return (
        Assessment.objects.filter(client=client, status=AssessmentStatus.SIGNED)
        .order_by("-signed_at", "-id")
        .first()
    )


def _move(plan: CarePlan, to_status: str) -> None:
    if not may_move(plan.status, to_status):
        raise PlanLocked(f"A plan that is {plan.get_status_display().lower()} cannot change.")
    plan.status = to_status


def _end(plan: CarePlan, by: Any, reason: str) -> str:
    """Close a version (a plan in effect, or a draft withdrawn or discarded), audited. Returns
    the status it had."""
    was = plan.status
    _move(plan, PlanStatus.CLOSED)
    plan.ended_at = timezone.now()
    plan.end_reason = reason
    plan.version += 1
    plan.save()
    _audit(by, plan, "update", "care_plan", plan.pk, {"status": [was, "closed"]})
    return was


# --- Starting and copying -------------------------------------------------------------------


def plan_start(*, client: Client, by: Any, assessment: Assessment | None = None) -> CarePlan:
    """The client's first plan, or a fresh one after a closed plan, drafted from an assessment.

    Each life area rated moderate or high becomes a need, worded from the assessment's reason.
    """
    assessment = assessment or latest_signed_assessment(client)
    if assessment is not None and (
        assessment.client_id != client.pk or assessment.status != AssessmentStatus.SIGNED
    ):
        raise ValidationError("Plans start from a signed assessment of this client.")
    with transaction.atomic():
        Client.objects.select_for_update().filter(pk=client.pk).first()
        current = CarePlan.objects.filter(
            client=client, status__in=[PlanStatus.DRAFT, PlanStatus.ACTIVE]
        ).first()
        if current is not None:
            raise ValidationError(
                "This client already has a plan. Make a new version of it instead."
                if current.status == PlanStatus.ACTIVE
                else "This client already has a draft plan. Finish or discard it first."
            )
        plan = CarePlan.objects.create(
            client=client,
            sequence=_next_sequence(client),
            assessment=assessment,
            level_of_care=assessment.chosen_level if assessment else "",
            created_by=by,
        )
        if assessment is not None:
            position = 0
            for domain, label in NEED_DOMAINS:
                need = assessment.needs.get(domain, {})
                if (need.get("severity") or 0) >= NEEDS_FROM_SEVERITY:
                    reason = (need.get("reason") or "").strip()
                    Problem.objects.create(
                        plan=plan,
                        need_domain=domain,
                        statement=f"{label}: {reason}" if reason else f"{label}: needs support.",
                        position=position,
                    )
                    position += 1
        _audit(
            by,
            plan,
            "create",
            "care_plan",
            plan.pk,
            {"sequence": [None, plan.sequence], "assessment": [None, plan.assessment_id]},
        )
        timeline_add(
            client=client,
            kind=TimelineKind.PLAN,
            summary=f"Care plan version {plan.sequence} drafted",
            actor=by,
        )
    return plan


def _next_sequence(client: Client) -> int:
    last = CarePlan.objects.filter(client=client).aggregate(last=Max("sequence"))["last"]
    return (last or 0) + 1


def _copy_content(source: CarePlan, target: CarePlan) -> None:
    """Copy every element, keeping its key, so the versions can be compared."""
    problems: dict[int, Problem] = {}
    for problem in source.problems.all():
        problems[problem.pk] = Problem.objects.create(
            plan=target,
            key=problem.key,
            position=problem.position,
            **{f: getattr(problem, f) for f in PROBLEM_FIELDS},
        )
    goals: dict[int, Goal] = {}
    for goal in source.goals.all():
        goals[goal.pk] = Goal.objects.create(
            plan=target,
            problem=problems[goal.problem_id],
            key=goal.key,
            position=goal.position,
            **{f: getattr(goal, f) for f in GOAL_FIELDS},
        )
    for objective in source.objectives.all():
        Objective.objects.create(
            plan=target,
            goal=goals[objective.goal_id],
            key=objective.key,
            position=objective.position,
            **{f: getattr(objective, f) for f in OBJECTIVE_FIELDS},
        )
    for intervention in source.interventions.all():
        Intervention.objects.create(
            plan=target,
            goal=goals[intervention.goal_id],
            key=intervention.key,
            position=intervention.position,
            owner_id=intervention.owner_id,
            **{f: getattr(intervention, f) for f in INTERVENTION_FIELDS if f != "owner"},
        )


def plan_revise(*, plan: CarePlan, by: Any, reason: str) -> CarePlan:
    """A new draft version copied from the plan in effect (which stays in effect until the new
    one is signed), or from a signed draft that needs changing (which is then withdrawn)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the plan is changing."})
    with transaction.atomic():
        base = CarePlan.objects.select_for_update().get(pk=plan.pk)
        if base.status == PlanStatus.ACTIVE:
            if CarePlan.objects.filter(client_id=base.client_id, status=PlanStatus.DRAFT).exists():
                raise ValidationError(
                    "A new version is already being drafted. Finish or discard it first."
                )
        elif base.status == PlanStatus.DRAFT and base.locked_at is not None:
            _end(base, by, f"Withdrawn before it took effect, to make changes: {reason}")
        else:
            raise ValidationError("Only a plan in effect or a signed draft can be revised.")
        assessment = latest_signed_assessment(base.client)
        new = CarePlan.objects.create(
            client=base.client,
            sequence=_next_sequence(base.client),
            previous=base,
            assessment=assessment or base.assessment,
            level_of_care=(assessment.chosen_level if assessment else base.level_of_care),
            change_reason=reason,
            created_by=by,
        )
        _copy_content(base, new)
        _audit(
            by,
            new,
            "create",
            "care_plan",
            new.pk,
            {
                "sequence": [None, new.sequence],
                "previous": [None, base.pk],
                "reason": [None, reason],
            },
        )
        timeline_add(
            client=base.client,
            kind=TimelineKind.PLAN,
            summary=f"Care plan version {new.sequence} drafted from version {base.sequence}",
            detail=reason,
            actor=by,
        )
    return new


# --- Editing a draft -------------------------------------------------------------------------


def _editable(plan: CarePlan, version: int) -> CarePlan:
    """Lock the draft row, and refuse when it is signed or someone saved in between."""
    current = CarePlan.objects.select_for_update().get(pk=plan.pk)
    if current.is_locked:
        raise PlanLocked(
            "This version is signed or no longer a draft, so it cannot be changed. "
            "Make a new version instead."
        )
    if current.version != version:
        raise StalePlan("Someone else changed this plan while you were working on it.")
    return current


def _saved(plan: CarePlan) -> CarePlan:
    plan.version += 1
    plan.save(update_fields=["version"])
    return plan


def _clean_text(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


def _element(model: type[Any], plan: CarePlan, element_id: int | None) -> Any:
    if element_id is None:
        return None
    element = model.objects.filter(plan=plan, pk=element_id).first()
    if element is None:
        raise ValidationError("That part of the plan is no longer there; reload the page.")
    return element


def _input_errors(values: dict[str, Any]) -> dict[str, str]:
    """The house bounds on a plan element's text and dates (casebridge.inputs), by field: the
    same for the pages and the API."""
    errors: dict[str, str] = {}
    for name, value in values.items():
        if isinstance(value, str) and name in TEXT_LIMITS:
            problem = text_problem(
                value, multiline=name in MULTILINE_FIELDS, max_length=TEXT_LIMITS[name]
            )
            if problem:
                errors[name] = problem
        elif isinstance(value, date) and not EARLIEST_DATE <= value <= LATEST_DATE:
            errors[name] = DATE_MESSAGE
    return errors


def _store(
    *, by: Any, plan: CarePlan, element: Any, model: type[Any], values: dict[str, Any], kind: str
) -> Any:
    errors = _input_errors(values)
    if errors:
        raise ValidationError(errors)
    creating = element is None
    if creating:
        found = model.objects.filter(plan=plan).aggregate(last=Max("position"), count=Count("id"))
        most = MOST_ELEMENTS[model._meta.get_field("plan").remote_field.related_name]
        if found["count"] >= most:
            raise ValidationError(f"A plan version holds at most {most} of these; combine some.")
        element = model(plan=plan, position=(found["last"] or 0) + 1)
    before = {name: str(getattr(element, name, "") or "") for name in values}
    for name, value in values.items():
        setattr(element, name, value)
    element.full_clean(exclude=["plan", "key"])
    element.save()
    after = {name: str(getattr(element, name, "") or "") for name in values}
    _audit(
        by,
        plan,
        "create" if creating else "update",
        f"plan_{kind}",
        element.pk,
        {
            name: [None if creating else before[name], after[name]]
            for name in values
            if creating or before[name] != after[name]
        },
    )
    return element


def problem_save(
    *,
    plan: CarePlan,
    by: Any,
    version: int,
    statement: str,
    need_domain: str = "",
    problem_id: int | None = None,
) -> Problem:
    statement = _clean_text(statement, "statement", "Describe the need in a sentence.")
    if need_domain and need_domain not in NEED_LABELS:
        raise ValidationError({"need_domain": "Choose a life area from the list."})
    with transaction.atomic():
        current = _editable(plan, version)
        problem = _store(
            by=by,
            plan=current,
            element=_element(Problem, current, problem_id),
            model=Problem,
            values={"statement": statement, "need_domain": need_domain},
            kind="need",
        )
        _saved(current)
    return problem


def goal_save(
    *,
    plan: CarePlan,
    by: Any,
    version: int,
    problem_id: int,
    own_words: str,
    measurable: str,
    target_date: date | None,
    term: str,
    strength: str = "",
    goal_id: int | None = None,
) -> Goal:
    problems: dict[str, str] = {}
    if not (own_words or "").strip():
        problems["own_words"] = "Write the goal the way the client says it."
    if not (measurable or "").strip():
        problems["measurable"] = "Say how you and the client will know the goal is reached."
    if target_date is None:
        problems["target_date"] = "Choose a target date."
    elif target_date < timezone.localdate():
        problems["target_date"] = "The target date has already passed."
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        current = _editable(plan, version)
        problem = _element(Problem, current, problem_id)
        goal = _store(
            by=by,
            plan=current,
            element=_element(Goal, current, goal_id),
            model=Goal,
            values={
                "problem": problem,
                "own_words": own_words.strip(),
                "measurable": measurable.strip(),
                "target_date": target_date,
                "term": term,
                "strength": (strength or "").strip(),
            },
            kind="goal",
        )
        _saved(current)
    return goal


def objective_save(
    *,
    plan: CarePlan,
    by: Any,
    version: int,
    goal_id: int,
    text: str,
    target_date: date | None = None,
    objective_id: int | None = None,
) -> Objective:
    text = _clean_text(text, "text", "Describe the step.")
    with transaction.atomic():
        current = _editable(plan, version)
        objective = _store(
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
        _saved(current)
    return objective


def _check_owner(plan: CarePlan, owner: User | None) -> None:
    if owner is None:
        return
    if (
        not owner.is_active
        or owner.organisation_id != plan.client.organisation_id
        or owner.role not in {Role.CASE_MANAGER, Role.SUPERVISOR, Role.COACH, Role.INTAKE}
    ):
        raise ValidationError({"owner": "Choose an active staff member of this organisation."})
    if not works_with(owner, plan.client_id):
        raise ValidationError(
            {
                "owner": f"{owner.display_name} does not work with this client, so would not see the tasks."
            }
        )


def intervention_save(
    *,
    plan: CarePlan,
    by: Any,
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
    action = _clean_text(action, "action", "Say what will be done.")
    if responsible == "provider" and not (provider_name or "").strip():
        raise ValidationError({"provider_name": "Name the provider or the referral."})
    if owner is not None and frequency == Frequency.AS_NEEDED:
        raise ValidationError(
            {
                "frequency": "Tasks need a schedule: choose how often, or leave the staff member empty."
            }
        )
    with transaction.atomic():
        current = _editable(plan, version)
        _check_owner(current, owner)
        intervention = _store(
            by=by,
            plan=current,
            element=_element(Intervention, current, intervention_id),
            model=Intervention,
            values={
                "goal": _element(Goal, current, goal_id),
                "action": action,
                "responsible": responsible,
                "provider_name": (provider_name or "").strip(),
                "owner": owner,
                "frequency": frequency,
                "first_due_on": first_due_on,
            },
            kind="action",
        )
        _saved(current)
    return intervention


ELEMENT_MODELS: dict[str, type[Any]] = {
    "need": Problem,
    "goal": Goal,
    "step": Objective,
    "action": Intervention,
}


def element_remove(*, plan: CarePlan, by: Any, version: int, kind: str, element_id: int) -> None:
    """Remove a need, goal, step or action from a draft (with what hangs under it)."""
    model = ELEMENT_MODELS[kind]
    with transaction.atomic():
        current = _editable(plan, version)
        element = _element(model, current, element_id)
        _audit(by, current, "delete", f"plan_{kind}", element.pk, {"text": [str(element), None]})
        element.delete()
        _saved(current)


def plan_replace(*, plan: CarePlan, by: Any, version: int, document: dict[str, Any]) -> CarePlan:
    """Replace a draft's whole content from a plan document (the API's PUT).

    Validates everything first; any problem leaves the draft as it was.
    """
    if CarePlan.objects.get(pk=plan.pk).is_locked:
        raise PlanLocked(
            "This version is signed or no longer a draft, so it cannot be changed. "
            "Make a new version instead."
        )
    errors = _document_errors(document, plan)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        current = _editable(plan, version)
        current.problems.all().delete()
        for p_index, p_doc in enumerate(document["problems"]):
            problem = Problem.objects.create(
                plan=current,
                key=_key(p_doc),
                position=p_index,
                statement=p_doc["statement"].strip(),
                need_domain=p_doc.get("need_domain") or "",
            )
            for g_index, g_doc in enumerate(p_doc.get("goals", [])):
                goal = Goal.objects.create(
                    plan=current,
                    problem=problem,
                    key=_key(g_doc),
                    position=g_index,
                    term=g_doc.get("term", "short"),
                    own_words=g_doc["own_words"].strip(),
                    measurable=g_doc["measurable"].strip(),
                    target_date=parse_date(g_doc["target_date"]),
                    strength=(g_doc.get("strength") or "").strip(),
                )
                for o_index, o_doc in enumerate(g_doc.get("objectives", [])):
                    Objective.objects.create(
                        plan=current,
                        goal=goal,
                        key=_key(o_doc),
                        position=o_index,
                        text=o_doc["text"].strip(),
                        target_date=_date_or_none(o_doc.get("target_date")),
                    )
                for i_index, i_doc in enumerate(g_doc.get("interventions", [])):
                    Intervention.objects.create(
                        plan=current,
                        goal=goal,
                        key=_key(i_doc),
                        position=i_index,
                        action=i_doc["action"].strip(),
                        responsible=i_doc["responsible"],
                        provider_name=(i_doc.get("provider_name") or "").strip(),
                        owner_id=i_doc.get("owner"),
                        frequency=i_doc.get("frequency", Frequency.ONCE),
                        first_due_on=_date_or_none(i_doc.get("first_due_on")),
                    )
        _audit(by, current, "update", "care_plan", current.pk, {"content": ["replaced", document]})
        _saved(current)
    return current


def _key(doc: dict[str, Any]) -> uuid.UUID:
    try:
        return uuid.UUID(str(doc["key"])) if doc.get("key") else uuid.uuid4()
    except ValueError:
        return uuid.uuid4()


def _date_or_none(value: Any) -> date | None:
    return parse_date(value) if value else None


def _objects(
    parent: dict[str, Any], name: str, where: str, errors: dict[str, str]
) -> list[dict[str, Any]]:
    """The list `parent[name]` (none when absent or null), or an error when it is not a list
    of objects."""
    value = parent.get(name)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        errors[f"{where}.{name}" if where else name] = "Send a list of objects."
        return []
    return value


def _is_text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _owners_reaching(document: dict[str, Any], plan: CarePlan) -> set[int]:
    """Of the staff a document names as owners, those who work with this client."""
    wanted: set[int] = {
        intervention["owner"]
        for problem in document["problems"]
        if isinstance(problem, dict) and isinstance(problem.get("goals"), list)
        for goal in problem["goals"]
        if isinstance(goal, dict) and isinstance(goal.get("interventions"), list)
        for intervention in goal["interventions"]
        if isinstance(intervention, dict) and type(intervention.get("owner")) is int
    }
    return {
        user.pk
        for user in User.objects.filter(
            pk__in=wanted,
            organisation_id=plan.client.organisation_id,
            is_active=True,
            role__in=[Role.CASE_MANAGER, Role.SUPERVISOR, Role.COACH, Role.INTAKE],
        )
        if works_with(user, plan.client_id)
    }


def _document_errors(document: Any, plan: CarePlan) -> dict[str, str]:
    """Every problem with a submitted plan document, by its place in the document. The rules
    are the pages' rules, so the API cannot store what a form would refuse; each value must
    also be of the JSON type it stands for (a life area is a string, never 0, false or [])."""
    from casebridge.plans.models import GoalTerm, Responsible

    errors: dict[str, str] = {}
    if not isinstance(document, dict) or not isinstance(document.get("problems"), list):
        return {"problems": "Send the plan as an object with a list of problems."}
    owners = _owners_reaching(document, plan)
    today = timezone.localdate()
    dated = {str(g.key): g.target_date.isoformat() for g in plan.goals.all()}
    seen: set[str] = set()
    counts = dict.fromkeys(MOST_ELEMENTS, 0)

    def text(doc: dict[str, Any], name: str, where: str, message: str = "") -> None:
        """A text field: required (with `message`) or optional (None or absent)."""
        value = doc.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if message:
                errors[f"{where}.{name}"] = message
            return
        if not isinstance(value, str):
            errors[f"{where}.{name}"] = "Send text."
            return
        problem = text_problem(
            value, multiline=name in MULTILINE_FIELDS, max_length=TEXT_LIMITS[name]
        )
        if problem:
            errors[f"{where}.{name}"] = problem

    def one_of(doc: dict[str, Any], name: str, where: str, allowed: list[str], default: Any) -> Any:
        value = doc.get(name, default)
        if not isinstance(value, str) or value not in allowed:
            errors[f"{where}.{name}"] = f"Send one of: {', '.join(allowed)}."
            return None
        return value

    def when(doc: dict[str, Any], name: str, where: str, required: bool) -> date | None:
        value = doc.get(name)
        if value is None or value == "":
            if required:
                errors[f"{where}.{name}"] = "Give a date as YYYY-MM-DD."
            return None
        try:
            return parse_date(value)
        except ValueError as problem:
            errors[f"{where}.{name}"] = str(problem)
            return None

    def key(doc: dict[str, Any], where: str) -> None:
        value = doc.get("key")
        if value is None or value == "":
            return
        if not isinstance(value, str):
            errors[f"{where}.key"] = "Send the key as text, as it was read."
        elif value in seen:
            errors[f"{where}.key"] = "Each part of the plan needs its own key."
        seen.add(str(value))

    def objects(parent: dict[str, Any], name: str, where: str) -> list[dict[str, Any]]:
        found = _objects(parent, name, where, errors)
        counts[name] += len(found)
        if counts[name] > MOST_ELEMENTS[name]:
            errors[f"{where}.{name}" if where else name] = (
                f"A plan version holds at most {MOST_ELEMENTS[name]} {name} in all."
            )
            return []
        return found

    for p, problem in enumerate(objects(document, "problems", "")):
        where = f"problems[{p}]"
        key(problem, where)
        text(problem, "statement", where, "Describe the need in a sentence.")
        if problem.get("need_domain") not in (None, ""):
            one_of(problem, "need_domain", where, list(NEED_LABELS), "")
        for g, goal in enumerate(objects(problem, "goals", where)):
            gwhere = f"{where}.goals[{g}]"
            key(goal, gwhere)
            text(goal, "own_words", gwhere, "Write the goal the way the client says it.")
            text(goal, "measurable", gwhere, "Say how you will know the goal is reached.")
            text(goal, "strength", gwhere)
            target = when(goal, "target_date", gwhere, required=True)
            # As on the page: a new or changed target date may not be in the past.
            if (
                target is not None
                and target < today
                and dated.get(str(goal.get("key"))) != target.isoformat()
            ):
                errors[f"{gwhere}.target_date"] = "The target date has already passed."
            one_of(goal, "term", gwhere, GoalTerm.values, GoalTerm.SHORT)
            for o, objective in enumerate(objects(goal, "objectives", gwhere)):
                owhere = f"{gwhere}.objectives[{o}]"
                key(objective, owhere)
                text(objective, "text", owhere, "Describe the step.")
                when(objective, "target_date", owhere, required=False)
            for i, intervention in enumerate(objects(goal, "interventions", gwhere)):
                iwhere = f"{gwhere}.interventions[{i}]"
                key(intervention, iwhere)
                text(intervention, "action", iwhere, "Say what will be done.")
                responsible = one_of(intervention, "responsible", iwhere, Responsible.values, None)
                frequency = one_of(
                    intervention, "frequency", iwhere, Frequency.values, Frequency.ONCE
                )
                text(intervention, "provider_name", iwhere)
                if responsible == "provider" and not _is_text(intervention.get("provider_name")):
                    errors[f"{iwhere}.provider_name"] = "Name the provider or the referral."
                owner = intervention.get("owner")
                if owner is not None and (type(owner) is not int or owner not in owners):
                    errors[f"{iwhere}.owner"] = "Choose a staff member who works with this client."
                elif owner is not None and frequency == Frequency.AS_NEEDED:
                    errors[f"{iwhere}.frequency"] = "Tasks need a schedule: choose how often."
                when(intervention, "first_due_on", iwhere, required=False)
    return errors


# --- Signing and putting in effect -----------------------------------------------------------


def required_signers(plan: CarePlan) -> list[str]:
    roles: list[str] = [SignerRole.CLIENT, SignerRole.CASE_MANAGER]
    rules = PlanRules.objects.filter(program_id=plan.client.program_id).first()
    if rules is not None and rules.supervisor_cosign:
        roles.append(SignerRole.SUPERVISOR)
    return roles


def unfinished(plan: CarePlan) -> list[str]:
    """What a draft still lacks before anyone can sign it, in plain words."""
    problems: list[str] = []
    goals = list(plan.goals.all())
    if not goals:
        problems.append("Add at least one goal.")
    with_actions = set(plan.interventions.values_list("goal_id", flat=True))
    for goal in goals:
        if goal.pk not in with_actions:
            problems.append(f"Say what will be done for the goal “{goal.own_words[:60]}”.")
    return problems


def plan_sign(
    *,
    plan: CarePlan,
    by: Any,
    version: int,
    role: str,
    method: str = "",
    name: str = "",
    image: str = "",
    witness_name: str = "",
) -> PlanSignature:
    """Record one signature. The first fixes the text; the last one needed puts the plan in
    effect (and the version it replaces is superseded)."""
    with transaction.atomic():
        current = CarePlan.objects.select_for_update().get(pk=plan.pk)
        if current.status != PlanStatus.DRAFT:
            raise PlanLocked("This version is no longer a draft; it cannot be signed.")
        if current.version != version:
            raise StalePlan("The plan changed since you opened it. Read it again before signing.")
        missing = unfinished(current)
        if missing:
            raise ValidationError(" ".join(missing))
        if current.signatures.filter(role=role).exists():
            raise ValidationError("That signature is already recorded.")
        if role == SignerRole.CLIENT:
            method, name = _client_signature(current, method, name, image, witness_name)
            if method != SignatureMethod.ON_SCREEN:
                image = ""
        elif role == SignerRole.CASE_MANAGER:
            if current.signatures.filter(role=SignerRole.SUPERVISOR, recorded_by=by).exists():
                raise ValidationError("You co-signed as supervisor; the case manager signs too.")
            method, name, image, witness_name = SignatureMethod.SIGNED_IN, by.display_name, "", ""
        elif role == SignerRole.SUPERVISOR:
            if by.role != Role.SUPERVISOR:
                raise ValidationError("Only a supervisor can co-sign a plan.")
            if current.signatures.filter(role=SignerRole.CASE_MANAGER, recorded_by=by).exists():
                raise ValidationError("The co-signature must come from another supervisor.")
            method, name, image, witness_name = SignatureMethod.SIGNED_IN, by.display_name, "", ""
        else:
            raise ValidationError("Unknown signer.")
        signature = PlanSignature(
            plan=current,
            role=role,
            method=method,
            name=name,
            image=image,
            witness_name=witness_name.strip(),
            recorded_by=by,
        )
        signature.full_clean()
        signature.save()
        if current.locked_at is None:
            current.locked_at = timezone.now()
        current.version += 1
        current.save(update_fields=["locked_at", "version"])
        _audit(
            by,
            current,
            "update",
            "care_plan",
            current.pk,
            {"signature": [None, f"{role} ({method})"]},
        )
        timeline_add(
            client=current.client,
            kind=TimelineKind.PLAN,
            summary=f"Care plan version {current.sequence}: {signature.get_role_display().lower()} signed",
            actor=by,
        )
        signed = set(current.signatures.values_list("role", flat=True))
        if set(required_signers(current)) <= signed:
            _activate(current, by)
    return signature


def _client_signature(
    plan: CarePlan, method: str, name: str, image: str, witness_name: str
) -> tuple[str, str]:
    name = (name or "").strip() or plan.client.legal_name
    if method == SignatureMethod.ON_SCREEN:
        try:
            check_drawn_signature(image)
        except ValidationError as problem:
            raise ValidationError({"image": problem.messages}) from None
    elif method == SignatureMethod.VERBAL:
        if not witness_name.strip():
            raise ValidationError({"witness_name": "Name the witness to the client's agreement."})
    else:
        raise ValidationError({"method": "Choose how the client agreed."})
    return method, name


def _activate(plan: CarePlan, by: Any) -> None:
    now = timezone.now()
    replaced = (
        CarePlan.objects.select_for_update()
        .filter(client_id=plan.client_id, status=PlanStatus.ACTIVE)
        .first()
    )
    if replaced is not None:
        _move(replaced, PlanStatus.SUPERSEDED)
        replaced.ended_at = now
        replaced.end_reason = f"Replaced by version {plan.sequence}"
        replaced.save(update_fields=["status", "ended_at", "end_reason"])
        _audit(
            by, replaced, "update", "care_plan", replaced.pk, {"status": ["active", "superseded"]}
        )
    _move(plan, PlanStatus.ACTIVE)
    plan.activated_at = now
    plan.save(update_fields=["status", "activated_at"])
    _audit(by, plan, "update", "care_plan", plan.pk, {"status": ["draft", "active"]})
    timeline_add(
        client=plan.client,
        kind=TimelineKind.PLAN,
        summary=f"Care plan version {plan.sequence} is in effect",
        actor=by,
    )
    _tasks_on_activation(plan, by)


# --- Tasks -----------------------------------------------------------------------------------


def _first_due(intervention: Intervention, today: date) -> date:
    if intervention.first_due_on:
        return max(intervention.first_due_on, today)
    return today + timedelta(days=FREQUENCY_DAYS.get(intervention.frequency, 7))


def _task_title(intervention: Intervention) -> str:
    return intervention.action[:300]


def _tasks_on_activation(plan: CarePlan, by: Any) -> None:
    """Open tasks follow their intervention into the new version; dropped ones are cancelled;
    interventions with no open task get their first one."""
    today = timezone.localdate()
    interventions = {i.key: i for i in plan.interventions.all() if i.makes_tasks}
    open_tasks = PlanTask.objects.select_related("intervention").filter(
        client_id=plan.client_id, status=TaskStatus.OPEN
    )
    carried: set[uuid.UUID] = set()
    for task in open_tasks:
        successor = interventions.get(task.intervention.key)
        if successor is None:
            _task_close(task, by, TaskStatus.CANCELLED, "The plan no longer asks for this.")
            continue
        if successor.owner_id != task.intervention.owner_id and successor.owner_id is not None:
            # The new version gives the work to someone else; otherwise whoever holds the task
            # (perhaps after a hand-over) keeps it.
            task.owner_id = successor.owner_id
        task.intervention = successor
        task.title = _task_title(successor)
        task.save(update_fields=["intervention", "owner", "title"])
        carried.add(successor.key)
    done_once = set(
        PlanTask.objects.filter(
            client_id=plan.client_id, intervention__frequency=Frequency.ONCE
        ).values_list("intervention__key", flat=True)
    )
    for key, intervention in interventions.items():
        if key in carried or (intervention.frequency == Frequency.ONCE and key in done_once):
            continue  # once-only work already given is not given again by a new version
        PlanTask.objects.create(
            client_id=plan.client_id,
            intervention=intervention,
            owner_id=intervention.owner_id or by.pk,  # makes_tasks: an owner is set
            title=_task_title(intervention),
            due_on=_first_due(intervention, today),
        )


def _task_close(
    task: PlanTask, by: Any, status: str, note: str, organisation_id: int | None = None
) -> None:
    task.status = status
    task.note = note
    task.closed_by = by
    task.closed_at = timezone.now()
    task.save(update_fields=["status", "note", "closed_by", "closed_at"])
    audit_record(
        actor=by,
        action="update",
        client_id=task.client_id,
        object_type="plan_task",
        object_id=task.pk,
        changes={"status": ["open", status]},
        organisation_id=organisation_id,
    )


def _task_outcome(
    task: PlanTask, by: Any, status: str, note: str, client: Client
) -> PlanTask | None:
    """Close a locked open task as done or missed, tell the timeline (naming the goal the work
    serves, so it links back to the plan) and give the next one. `by` is None for the sweep."""
    _task_close(task, by, status, note, organisation_id=client.organisation_id)
    timeline_add(
        client=client,
        kind=TimelineKind.PLAN,
        summary=f"Task {'done' if status == TaskStatus.DONE else 'missed'}: {task.title}"[:300],
        detail="\n".join(
            part for part in (task.note, f"Goal: {task.intervention.goal.own_words}") if part
        ),
        actor=by,
    )
    return _next_task(task)


def task_close(*, task: PlanTask, by: Any, done: bool, note: str = "") -> PlanTask | None:
    """Mark a task done or missed, tell the timeline, and schedule the next one when the
    intervention repeats and the plan is still in effect. Returns the next task, if any."""
    with transaction.atomic():
        current = (
            PlanTask.objects.select_for_update(of=("self",))
            .select_related("intervention__plan", "intervention__goal")
            .get(pk=task.pk)
        )
        if current.status != TaskStatus.OPEN:
            raise ValidationError("This task is already closed.")
        if not done and not (note or "").strip():
            raise ValidationError({"note": "Say what happened, so the team can follow up."})
        status = TaskStatus.DONE if done else TaskStatus.MISSED
        client = Client.objects.get(pk=current.client_id)
        return _task_outcome(current, by, status, (note or "").strip(), client)


def _next_task(closed: PlanTask) -> PlanTask | None:
    """The next task of a repeating intervention, while its plan is in effect."""
    intervention = closed.intervention
    every = FREQUENCY_DAYS.get(intervention.frequency)
    if every is None or intervention.plan.status != PlanStatus.ACTIVE:
        return None
    today = timezone.localdate()
    due = closed.due_on + timedelta(days=every)
    while due <= today:
        due += timedelta(days=every)
    return PlanTask.objects.create(
        client_id=closed.client_id,
        intervention=intervention,
        owner_id=closed.owner_id,  # whoever has been doing it, after any hand-over
        title=closed.title,
        due_on=due,
    )


def tasks_sweep(*, grace_days: int, today: date | None = None) -> int:
    """Mark missed every open task not recorded `grace_days` after its due date, so the
    timeline tells the truth even when nobody recorded it. Returns how many were marked."""
    today = today or timezone.localdate()
    overdue = list(
        PlanTask.objects.filter(
            status=TaskStatus.OPEN, due_on__lt=today - timedelta(days=grace_days)
        ).values_list("pk", flat=True)
    )
    marked = 0
    for task_id in overdue:
        with transaction.atomic():
            task = (
                PlanTask.objects.select_for_update(of=("self",))
                .select_related("intervention__plan", "intervention__goal", "client")
                .filter(pk=task_id, status=TaskStatus.OPEN)
                .first()
            )
            if task is None:  # recorded by someone in the meantime
                continue
            note = f"Not recorded within {grace_days} days of its due date."
            _task_outcome(task, None, TaskStatus.MISSED, note, task.client)
            marked += 1
    return marked


def tasks_take_over(*, client: Client, from_owner_id: int, by: Any) -> int:
    """Give `by` the open tasks of someone who no longer works with this client (after a
    reassignment, say). Returns how many moved."""
    if from_owner_id == by.pk:
        raise ValidationError("These tasks are already yours.")
    if not works_with(by, client.pk):
        raise ValidationError("Only someone who works with this client can take the tasks over.")
    with transaction.atomic():
        tasks = list(
            PlanTask.objects.select_for_update(of=("self",))
            .select_related("owner")
            .filter(client=client, owner_id=from_owner_id, status=TaskStatus.OPEN)
        )
        if not tasks:
            return 0
        if works_with(tasks[0].owner, client.pk):
            raise ValidationError(
                f"{tasks[0].owner.display_name} still works with this client; ask them first."
            )
        PlanTask.objects.filter(pk__in=[t.pk for t in tasks]).update(owner=by)
        # A draft being worked on (not yet signed) names the new owner too, so the next
        # version does not hand the work back.
        drafts = CarePlan.objects.filter(
            client=client, status=PlanStatus.DRAFT, locked_at__isnull=True
        )
        if Intervention.objects.filter(plan__in=drafts, owner_id=from_owner_id).update(owner=by):
            # Someone with the draft open must reload before saving over the new owner.
            drafts.update(version=F("version") + 1)
        audit_record(
            actor=by,
            action="update",
            client_id=client.pk,
            # However many tasks change hands, their ids go in the changes, not the id column.
            object_type="plan_task_handover",
            changes={"owner": [from_owner_id, by.pk], "tasks": [t.pk for t in tasks]},
        )
        timeline_add(
            client=client,
            kind=TimelineKind.PLAN,
            summary=f"{len(tasks)} plan task(s) handed from {tasks[0].owner.display_name} "
            f"to {by.display_name}",
            actor=by,
        )
    return len(tasks)


# --- Reviews and closing ---------------------------------------------------------------------


def review_record(
    *,
    plan: CarePlan,
    by: Any,
    reason: str,
    summary: str,
    outcome: str,
    ratings: dict[int, tuple[str, str]],
) -> tuple[PlanReview, CarePlan | None]:
    """Rate every goal and decide what happens to the plan; returns the review and, when the
    review revises the plan, the new draft."""
    problems: dict[str, str] = {}
    if not (summary or "").strip():
        problems["summary"] = "Summarise how the plan is going."
    goals = list(plan.goals.all())
    for goal in goals:
        rating = ratings.get(goal.pk, ("", ""))[0]
        if rating not in Progress.values:
            problems[f"goal_{goal.pk}_rating"] = "Rate the progress on this goal."
    if outcome not in ReviewOutcome.values:
        problems["outcome"] = "Choose what happens to the plan."
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        current = CarePlan.objects.select_for_update().get(pk=plan.pk)
        if current.status != PlanStatus.ACTIVE:
            raise ValidationError("Only the plan in effect can be reviewed.")
        assessment = latest_signed_assessment(current.client)
        review = PlanReview.objects.create(
            plan=current,
            reason=reason,
            summary=summary.strip(),
            outcome=outcome,
            level_of_care=assessment.chosen_level if assessment else current.level_of_care,
            reviewed_by=by,
        )
        review.full_clean()
        for goal in goals:
            rating, note = ratings[goal.pk]
            GoalProgress.objects.create(review=review, goal=goal, rating=rating, note=note.strip())
        _audit(
            by,
            current,
            "create",
            "plan_review",
            review.pk,
            {
                "outcome": [None, outcome],
                "ratings": [None, {str(goal.key): ratings[goal.pk][0] for goal in goals}],
            },
        )
        outcome_words = review.get_outcome_display().lower()
        if (
            outcome == ReviewOutcome.CONTINUE
            and review.level_of_care
            and review.level_of_care != current.level_of_care
        ):
            # Keeping the plan after a reassessment chose another level of care accepts that
            # level for the plan in effect; otherwise the plan would show the old level for good.
            was_level = current.level_of_care
            current.level_of_care = review.level_of_care
            current.save(update_fields=["level_of_care"])
            _audit(
                by,
                current,
                "update",
                "care_plan",
                current.pk,
                {"level_of_care": [was_level, current.level_of_care]},
            )
            outcome_words += f"; level of care now {current.level_of_care}"
        timeline_add(
            client=current.client,
            kind=TimelineKind.PLAN,
            summary=f"Care plan reviewed: {outcome_words}",
            detail=review.summary,
            actor=by,
        )
        new_plan = None
        if outcome == ReviewOutcome.REVISE:
            new_plan = plan_revise(plan=current, by=by, reason=f"Review: {review.summary}"[:2000])
        elif outcome == ReviewOutcome.CLOSE:
            plan_close(plan=current, by=by, reason=f"Closed at review: {review.summary}")
    return review, new_plan


def plan_close(*, plan: CarePlan, by: Any, reason: str) -> CarePlan:
    """Close the plan in effect (the case ends), or discard a draft. Open tasks are cancelled."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the plan is closing."})
    with transaction.atomic():
        current = CarePlan.objects.select_for_update().get(pk=plan.pk)
        was = _end(current, by, reason)
        if was == PlanStatus.ACTIVE:
            for task in PlanTask.objects.filter(intervention__plan=current, status=TaskStatus.OPEN):
                _task_close(task, by, TaskStatus.CANCELLED, "The plan closed.")
            # A new version drafted to replace it would otherwise take effect on a closed plan.
            for draft in CarePlan.objects.select_for_update().filter(
                client_id=current.client_id, status=PlanStatus.DRAFT
            ):
                _end(draft, by, f"The plan it was to replace closed: {reason}")
        timeline_add(
            client=current.client,
            kind=TimelineKind.PLAN,
            summary=(
                f"Care plan version {current.sequence} "
                + ("closed" if was == PlanStatus.ACTIVE else "draft discarded")
            ),
            detail=reason,
            actor=by,
        )
    return current

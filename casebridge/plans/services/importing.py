"""A draft's whole content replaced from a plan document (the API's PUT).

A document is checked in two passes, and everything is checked before anything is saved.
First each value must be of the JSON type it stands for (text is a string, never 0, false or
[]; a date is "YYYY-MM-DD"; a staff member is an id); then each element keeps the same rules
the pages keep (`elements.need_errors` and the rest), so the API cannot store what a form
would refuse, nor refuse what a form would take. Problems are named by their place in the
document, e.g. "problems[0].goals[1].target_date".
"""

import uuid
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from casebridge.accounts.models import User
from casebridge.inputs import parse_date
from casebridge.plans.documents import MOST_ELEMENTS
from casebridge.plans.models import (
    CarePlan,
    Frequency,
    Goal,
    GoalTerm,
    Intervention,
    Objective,
    Problem,
)
from casebridge.plans.services.common import (
    LOCKED_MESSAGE,
    PlanLocked,
    draft_for_change,
    draft_saved,
)
from casebridge.plans.services.elements import (
    OWNER_MESSAGE,
    action_errors,
    goal_errors,
    need_errors,
    owners_working_with,
    step_errors,
    too_many_message,
)


def plan_replace(*, plan: CarePlan, by: User, version: int, document: dict[str, Any]) -> CarePlan:
    """Replace a draft's whole content from a plan document (the API's PUT).

    Validates everything first; any problem leaves the draft as it was.
    """
    if CarePlan.objects.get(pk=plan.pk).is_locked:
        raise PlanLocked(LOCKED_MESSAGE)
    errors = document_errors(document, plan)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        current = draft_for_change(plan, version)
        current.problems.all().delete()
        for p_index, p_doc in enumerate(document["problems"]):
            problem = Problem.objects.create(
                plan=current,
                key=_key(p_doc),
                position=p_index,
                statement=p_doc["statement"].strip(),
                need_domain=p_doc.get("need_domain") or "",
            )
            for g_index, g_doc in enumerate(p_doc.get("goals") or []):
                goal = Goal.objects.create(
                    plan=current,
                    problem=problem,
                    key=_key(g_doc),
                    position=g_index,
                    term=g_doc.get("term") or GoalTerm.SHORT,
                    own_words=g_doc["own_words"].strip(),
                    measurable=g_doc["measurable"].strip(),
                    target_date=parse_date(g_doc["target_date"]),
                    strength=(g_doc.get("strength") or "").strip(),
                )
                for o_index, o_doc in enumerate(g_doc.get("objectives") or []):
                    Objective.objects.create(
                        plan=current,
                        goal=goal,
                        key=_key(o_doc),
                        position=o_index,
                        text=o_doc["text"].strip(),
                        target_date=_date_or_none(o_doc.get("target_date")),
                    )
                for i_index, i_doc in enumerate(g_doc.get("interventions") or []):
                    Intervention.objects.create(
                        plan=current,
                        goal=goal,
                        key=_key(i_doc),
                        position=i_index,
                        action=i_doc["action"].strip(),
                        responsible=i_doc["responsible"],
                        provider_name=(i_doc.get("provider_name") or "").strip(),
                        owner_id=i_doc.get("owner"),
                        frequency=i_doc.get("frequency") or Frequency.ONCE,
                        first_due_on=_date_or_none(i_doc.get("first_due_on")),
                    )
        draft_saved(current, by, {"content": ["replaced", document]})
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


def _named_owners(document: dict[str, Any]) -> set[int]:
    """The staff ids a document names as owners of its actions."""
    return {
        intervention["owner"]
        for problem in document["problems"]
        if isinstance(problem, dict) and isinstance(problem.get("goals"), list)
        for goal in problem["goals"]
        if isinstance(goal, dict) and isinstance(goal.get("interventions"), list)
        for intervention in goal["interventions"]
        if isinstance(intervention, dict) and type(intervention.get("owner")) is int
    }


class _Reader:
    """Reads a document's values as the types they stand for, noting each that is not."""

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def text(self, doc: dict[str, Any], name: str, where: str, default: str = "") -> str:
        value = doc.get(name)
        if value is None:
            return default
        if not isinstance(value, str):
            self.errors[f"{where}.{name}"] = "Send text."
            return default
        return value

    def date(self, doc: dict[str, Any], name: str, where: str) -> date | None:
        value = doc.get(name)
        if value is None or value == "":
            return None
        try:
            return parse_date(value)
        except ValueError as problem:
            self.errors[f"{where}.{name}"] = str(problem)
            return None

    def owner(self, doc: dict[str, Any], where: str, staff: dict[int, User]) -> User | None:
        """The staff member named by id (the rules decide whether they may be)."""
        value = doc.get("owner")
        if value is None:
            return None
        if type(value) is not int or value not in staff:
            self.errors[f"{where}.owner"] = OWNER_MESSAGE
            return None
        return staff[value]

    def rules(self, found: dict[str, str], where: str) -> None:
        """The rules' answer for one element; a value of the wrong type is named as that."""
        for name, message in found.items():
            self.errors.setdefault(f"{where}.{name}", message)


def document_errors(document: Any, plan: CarePlan) -> dict[str, str]:
    """Every problem with a submitted plan document, by its place in the document."""
    if not isinstance(document, dict) or not isinstance(document.get("problems"), list):
        return {"problems": "Send the plan as an object with a list of problems."}
    read = _Reader()
    errors = read.errors
    today = timezone.localdate()
    staff = {user.pk: user for user in User.objects.filter(pk__in=_named_owners(document))}
    working = owners_working_with(plan, staff.values())
    # A goal's target date before this change, by the goal's key (see goal_errors).
    dated = {str(goal.key): goal.target_date for goal in plan.goals.all()}
    seen: set[str] = set()
    counts = dict.fromkeys(MOST_ELEMENTS, 0)

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
            errors[f"{where}.{name}" if where else name] = too_many_message(name)
            return []
        return found

    for p, problem in enumerate(objects(document, "problems", "")):
        where = f"problems[{p}]"
        key(problem, where)
        need = need_errors(
            statement=read.text(problem, "statement", where),
            need_domain=read.text(problem, "need_domain", where),
        )
        read.rules(need, where)
        for g, goal in enumerate(objects(problem, "goals", where)):
            gwhere = f"{where}.goals[{g}]"
            key(goal, gwhere)
            found = goal_errors(
                own_words=read.text(goal, "own_words", gwhere),
                measurable=read.text(goal, "measurable", gwhere),
                term=read.text(goal, "term", gwhere, default=GoalTerm.SHORT),
                target_date=read.date(goal, "target_date", gwhere),
                strength=read.text(goal, "strength", gwhere),
                today=today,
                was_target_date=dated.get(str(goal.get("key"))),
            )
            read.rules(found, gwhere)
            for o, objective in enumerate(objects(goal, "objectives", gwhere)):
                owhere = f"{gwhere}.objectives[{o}]"
                key(objective, owhere)
                found = step_errors(
                    text=read.text(objective, "text", owhere),
                    target_date=read.date(objective, "target_date", owhere),
                )
                read.rules(found, owhere)
            for i, intervention in enumerate(objects(goal, "interventions", gwhere)):
                iwhere = f"{gwhere}.interventions[{i}]"
                key(intervention, iwhere)
                found = action_errors(
                    plan=plan,
                    action=read.text(intervention, "action", iwhere),
                    responsible=read.text(intervention, "responsible", iwhere),
                    provider_name=read.text(intervention, "provider_name", iwhere),
                    frequency=read.text(intervention, "frequency", iwhere, default=Frequency.ONCE),
                    owner=read.owner(intervention, iwhere, staff),
                    first_due_on=read.date(intervention, "first_due_on", iwhere),
                    working=working,
                )
                read.rules(found, iwhere)
    return errors

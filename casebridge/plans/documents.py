"""A plan version as one plain document, and the differences between two versions.

The document is what the API returns and accepts, what the comparison reads, and what the
audit trail and printouts are built from. Elements are matched across versions by `key`.
"""

from dataclasses import dataclass, field
from typing import Any

from casebridge.plans.models import CarePlan, Frequency, GoalTerm, Responsible

PROBLEM_FIELDS = ("need_domain", "statement")
GOAL_FIELDS = ("term", "own_words", "measurable", "target_date", "strength")
OBJECTIVE_FIELDS = ("text", "target_date")
INTERVENTION_FIELDS = (
    "action",
    "responsible",
    "provider_name",
    "owner",
    "frequency",
    "first_due_on",
)

# The longest text each part of a plan takes, from the page or the API: what the printed plan
# and the PDF lay out beside a label. Multi-line fields may hold line breaks; the others not.
TEXT_LIMITS = {
    "statement": 1000,
    "own_words": 1000,
    "measurable": 1000,
    "strength": 1000,
    "text": 1000,
    "action": 1000,
    "provider_name": 200,
}
MULTILINE_FIELDS = frozenset({"statement", "own_words", "measurable", "text", "action"})
# How many of each part one plan version may have (positions are small integers).
MOST_ELEMENTS = {"problems": 50, "goals": 50, "objectives": 100, "interventions": 100}

FIELD_LABELS = {
    "need_domain": "Life area",
    "statement": "Need",
    "term": "Term",
    "own_words": "In the client's words",
    "measurable": "How we will know",
    "target_date": "Target date",
    "strength": "Strength it builds on",
    "text": "Step",
    "action": "What is done",
    "responsible": "Who does it",
    "provider_name": "Provider",
    "owner": "Staff member",
    "frequency": "How often",
    "first_due_on": "First due",
}

_CHOICE_LABELS = {
    "term": dict(GoalTerm.choices),
    "responsible": dict(Responsible.choices),
    "frequency": dict(Frequency.choices),
}


def _value(element: Any, name: str) -> Any:
    if name == "owner":
        return element.owner_id
    value = getattr(element, name)
    return value.isoformat() if hasattr(value, "isoformat") else value


def plan_document(plan: CarePlan) -> dict[str, Any]:
    """The whole version as nested plain data (four queries, whatever its size)."""
    goals_by_problem: dict[int, list[dict[str, Any]]] = {}
    goal_docs: dict[int, dict[str, Any]] = {}
    for goal in plan.goals.all():
        doc = {"key": str(goal.key), **{f: _value(goal, f) for f in GOAL_FIELDS}}
        doc["objectives"], doc["interventions"] = [], []
        goal_docs[goal.pk] = doc
        goals_by_problem.setdefault(goal.problem_id, []).append(doc)
    for objective in plan.objectives.all():
        goal_docs[objective.goal_id]["objectives"].append(
            {"key": str(objective.key), **{f: _value(objective, f) for f in OBJECTIVE_FIELDS}}
        )
    for intervention in plan.interventions.all():
        goal_docs[intervention.goal_id]["interventions"].append(
            {
                "key": str(intervention.key),
                **{f: _value(intervention, f) for f in INTERVENTION_FIELDS},
            }
        )
    return {
        "id": plan.pk,
        "version_number": plan.sequence,
        "status": plan.status,
        "version": plan.version,
        "locked": plan.is_locked,
        "problems": [
            {
                "key": str(problem.key),
                **{f: _value(problem, f) for f in PROBLEM_FIELDS},
                "goals": goals_by_problem.get(problem.pk, []),
            }
            for problem in plan.problems.all()
        ],
    }


@dataclass
class Change:
    """One element added, dropped or changed between two versions."""

    kind: str  # "need", "goal", "step", "action"
    what: str  # "added", "dropped", "changed"
    title: str
    fields: list[tuple[str, Any, Any]] = field(default_factory=list)  # (label, before, after)


_KINDS = (
    ("need", "problems", "statement", PROBLEM_FIELDS),
    ("goal", "goals", "own_words", GOAL_FIELDS),
    ("step", "objectives", "text", OBJECTIVE_FIELDS),
    ("action", "interventions", "action", INTERVENTION_FIELDS),
)


def _flatten(document: dict[str, Any]) -> dict[str, dict[str, dict[str, Any]]]:
    found: dict[str, dict[str, dict[str, Any]]] = {kind: {} for kind, *_ in _KINDS}
    for problem in document["problems"]:
        found["need"][problem["key"]] = problem
        for goal in problem["goals"]:
            found["goal"][goal["key"]] = goal
            for objective in goal["objectives"]:
                found["step"][objective["key"]] = objective
            for intervention in goal["interventions"]:
                found["action"][intervention["key"]] = intervention
    return found


def _shown(name: str, value: Any) -> Any:
    return _CHOICE_LABELS.get(name, {}).get(value, value)


def compare(older: dict[str, Any], newer: dict[str, Any]) -> list[Change]:
    """What was added, dropped and changed from `older` to `newer`, needs first."""
    before, after = _flatten(older), _flatten(newer)
    changes: list[Change] = []
    for kind, _, title_field, fields in _KINDS:
        for key, element in after[kind].items():
            if key not in before[kind]:
                changes.append(Change(kind, "added", element[title_field]))
                continue
            old = before[kind][key]
            differing = [
                (FIELD_LABELS[f], _shown(f, old.get(f)), _shown(f, element.get(f)))
                for f in fields
                if old.get(f) != element.get(f)
            ]
            if differing:
                changes.append(Change(kind, "changed", element[title_field], differing))
        for key, element in before[kind].items():
            if key not in after[kind]:
                changes.append(Change(kind, "dropped", element[title_field]))
    return changes

"""The life of a safety plan version: the one table of allowed status moves.

A draft is written with the client and signed by the client and a staff member; the last of the
two signatures puts it in effect and the version in effect before it is replaced. A replaced
version never changes again.
"""

from django.db import models


class SafetyPlanStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ACTIVE = "active", "In effect"
    REPLACED = "replaced", "Replaced by a newer version"


ALLOWED_MOVES: dict[str, frozenset[str]] = {
    SafetyPlanStatus.DRAFT: frozenset({SafetyPlanStatus.ACTIVE}),
    SafetyPlanStatus.ACTIVE: frozenset({SafetyPlanStatus.REPLACED}),
    SafetyPlanStatus.REPLACED: frozenset(),
}


def may_move(from_status: str, to_status: str) -> bool:
    return to_status in ALLOWED_MOVES.get(from_status, frozenset())

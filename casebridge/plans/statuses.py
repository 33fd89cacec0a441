"""The life of a care plan version: the one table of allowed status moves.

A draft is worked on and signed; once every signature the program asks for is in, it becomes
active and the version it replaces becomes superseded. An active plan is closed when the case
ends, or replaced by a new version; superseded and closed versions never change again.
"""

from django.db import models


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ACTIVE = "active", "In effect"
    SUPERSEDED = "superseded", "Replaced by a newer version"
    CLOSED = "closed", "Closed"


ALLOWED_MOVES: dict[str, frozenset[str]] = {
    PlanStatus.DRAFT: frozenset({PlanStatus.ACTIVE, PlanStatus.CLOSED}),
    PlanStatus.ACTIVE: frozenset({PlanStatus.SUPERSEDED, PlanStatus.CLOSED}),
    PlanStatus.SUPERSEDED: frozenset(),
    PlanStatus.CLOSED: frozenset(),
}


def may_move(from_status: str, to_status: str) -> bool:
    return to_status in ALLOWED_MOVES.get(from_status, frozenset())

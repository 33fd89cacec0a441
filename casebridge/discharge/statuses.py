"""The life of a discharge summary: the one table of allowed status moves.

A draft is written and finalised (signed by the case manager); a finalised summary never
changes again. A correction is a new summary.
"""

from django.db import models


class SummaryStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    FINAL = "final", "Final"


ALLOWED_MOVES: dict[str, frozenset[str]] = {
    SummaryStatus.DRAFT: frozenset({SummaryStatus.FINAL}),
    SummaryStatus.FINAL: frozenset(),
}


def may_move(from_status: str, to_status: str) -> bool:
    return to_status in ALLOWED_MOVES.get(from_status, frozenset())

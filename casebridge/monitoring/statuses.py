"""A contact note's statuses and the moves between them, in one table the services enforce.

A draft is the writer's to change. Signing locks it: it is signed, or, when the program asks for
a supervisor's co-signature and the writer is not a supervisor, it waits for one. A signed note
is never edited again; corrections are addenda.
"""

from django.db import models


class NoteStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    AWAITING_COSIGN = "awaiting_cosign", "Waiting for a supervisor's co-signature"
    SIGNED = "signed", "Signed"


MOVES: dict[str, frozenset[str]] = {
    NoteStatus.DRAFT: frozenset({NoteStatus.SIGNED, NoteStatus.AWAITING_COSIGN}),
    NoteStatus.AWAITING_COSIGN: frozenset({NoteStatus.SIGNED}),
    NoteStatus.SIGNED: frozenset(),
}

# Notes whose contact happened as far as the record is concerned (the writer has signed).
RECORDED = frozenset({NoteStatus.AWAITING_COSIGN, NoteStatus.SIGNED})


def is_allowed(from_status: str, to_status: str) -> bool:
    return to_status in MOVES.get(from_status, frozenset())

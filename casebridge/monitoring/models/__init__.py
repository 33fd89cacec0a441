"""Monitoring's tables, one module per kind of record; imported here so Django finds them."""

import casebridge.monitoring.models.recovery  # noqa: F401  (its tables)
from casebridge.monitoring.models import appointments  # noqa: F401  (its tables)
from casebridge.monitoring.models.contacts import (
    MAX_DURATION_MINUTES,
    CheckIn,
    CheckInSource,
    CoachingKind,
    CoachingSession,
    CoachingTopic,
    ContactNote,
    ContactNoteRules,
    ContactStandard,
    ContactType,
    NoteAddendum,
    Sleep,
    TimelineKind,
)

__all__ = [
    "MAX_DURATION_MINUTES",
    "CheckIn",
    "CheckInSource",
    "CoachingKind",
    "CoachingSession",
    "CoachingTopic",
    "ContactNote",
    "ContactNoteRules",
    "ContactStandard",
    "ContactType",
    "NoteAddendum",
    "Sleep",
    "TimelineKind",
]

"""App config for levels of care: episodes, transitions and warm hand-offs.

Adds the Levels of care client tab, this app's timeline kinds, the hand-off due items, the
listener that takes a receiving partner's confirmation from a referral, and the step that ends
open hand-offs when a case is concluded.
"""

from django.apps import AppConfig


class TransitionsConfig(AppConfig):
    name = "casebridge.transitions"
    label = "transitions"
    verbose_name = "Levels of care and transitions"

    def ready(self) -> None:
        from casebridge.clients.extensions import (
            TimelineEntryKind,
            register_timeline_kind,
        )
        from casebridge.transitions.models import TimelineKind

        for kind in TimelineKind:
            register_timeline_kind(TimelineEntryKind(kind.value, str(kind.label), "view"))

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
            ClientTab,
            DueSource,
            TimelineEntryKind,
            register_conclusion_step,
            register_due_provider,
            register_tab,
            register_timeline_kind,
        )
        from casebridge.transitions import receivers  # noqa: F401 (connects the listeners)
        from casebridge.transitions.models import HandoffItem, TimelineKind, Transition
        from casebridge.transitions.queries import handoff_due
        from casebridge.transitions.services import transitions_end_with_case

        register_tab(ClientTab(label="Levels of care", url_name="care_levels", order=16))
        register_due_provider(
            handoff_due,
            needs_action="plan",
            reads=[Transition, DueSource(HandoffItem, client="transition.client_id")],
        )
        register_conclusion_step(transitions_end_with_case)

        for kind in TimelineKind:
            register_timeline_kind(TimelineEntryKind(kind.value, str(kind.label), "view"))

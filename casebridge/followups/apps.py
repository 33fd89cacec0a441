"""App config for follow-up after discharge and the continuity measures.

Adds the Follow-up client tab (read_clinical: the attempts' notes and the outcomes are clinical),
this app's timeline kind, and the listeners on the transitions app's signals: care ended (the
follow-ups are scheduled) and admitted (follow-ups not yet due close as back in care).
"""

from django.apps import AppConfig


class FollowupsConfig(AppConfig):
    name = "casebridge.followups"
    label = "followups"
    verbose_name = "Follow-up after discharge"

    def ready(self) -> None:
        from casebridge.clients.extensions import (
            ClientTab,
            TimelineEntryKind,
            register_due_provider,
            register_tab,
            register_timeline_kind,
        )
        from casebridge.followups import receivers
        from casebridge.followups.models import FollowUp, TimelineKind
        from casebridge.followups.queries import followups_due
        from casebridge.transitions.signals import admitted, care_ended

        register_tab(
            ClientTab(
                label="Follow-up",
                url_name="followup_client",
                order=21,
                needs_action="read_clinical",
            )
        )
        # That follow-ups were set or closed is for anyone on the team; attempts and outcomes
        # are written asking for read_clinical (services.py).
        register_timeline_kind(
            TimelineEntryKind(
                TimelineKind.FOLLOW_UP.value, str(TimelineKind.FOLLOW_UP.label), "view"
            )
        )
        # Follow-ups due show on the caseload, the client's header and My Day, for those who
        # log them.
        register_due_provider(followups_due, needs_action="record_contact", reads=[FollowUp])
        care_ended.connect(receivers.care_ended, dispatch_uid="followups.care_ended")
        admitted.connect(receivers.admitted, dispatch_uid="followups.admitted")

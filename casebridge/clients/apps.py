"""App config for clients: registers the timeline kinds of the client record itself, and
follows changes to the programs' contact rules."""

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class ClientsConfig(AppConfig):
    name = "casebridge.clients"
    label = "clients"

    def ready(self) -> None:
        from casebridge.accounts.models import ProgramModelRule
        from casebridge.clients.extensions import TimelineEntryKind, register_timeline_kind
        from casebridge.clients.models import TimelineKind
        from casebridge.clients.receivers import contact_rule_changed

        for signal in (post_save, post_delete):
            signal.connect(
                contact_rule_changed,
                sender=ProgramModelRule,
                dispatch_uid=f"clients.contact_rule_changed.{signal is post_save}",
            )

        # Flag notes can quote what a client said on a screen, and an emergency access carries
        # the reason given: both are for clinical staff. The rest is what coaching needs.
        clinical = {TimelineKind.FLAG, TimelineKind.ACCESS}
        for kind in TimelineKind:
            register_timeline_kind(
                TimelineEntryKind(
                    code=kind.value,
                    label=str(kind.label),
                    needs_action="read_clinical" if kind in clinical else "view",
                )
            )

"""App config for clients: registers the timeline kinds of the client record itself."""

from django.apps import AppConfig


class ClientsConfig(AppConfig):
    name = "casebridge.clients"
    label = "clients"

    def ready(self) -> None:
        from casebridge.clients.extensions import TimelineEntryKind, register_timeline_kind
        from casebridge.clients.models import TimelineKind

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

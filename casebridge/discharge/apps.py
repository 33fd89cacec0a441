"""App config for discharge: the discharge summary and the aftercare plan.

Adds the Discharge client tab (anyone who may open the client reads the aftercare plan: it is
what a coach needs after discharge; the summaries are clinical) and this app's timeline kinds.
"""

from django.apps import AppConfig


class DischargeConfig(AppConfig):
    name = "casebridge.discharge"
    label = "discharge"
    verbose_name = "Discharge and aftercare"

    def ready(self) -> None:
        from casebridge.clients.extensions import (
            ClientTab,
            TimelineEntryKind,
            register_tab,
            register_timeline_kind,
        )
        from casebridge.discharge.models import TimelineKind

        register_tab(
            ClientTab(label="Discharge", url_name="discharge_home", order=19, needs_action="view")
        )
        # That an aftercare plan was written is what the whole team (the coach too) needs to
        # know; the discharge summary is clinical content.
        for kind, action in (
            (TimelineKind.DISCHARGE, "read_clinical"),
            (TimelineKind.AFTERCARE, "view"),
        ):
            register_timeline_kind(TimelineEntryKind(kind.value, str(kind.label), action))

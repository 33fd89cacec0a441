"""App config for treatment (drug) courts: court programs and their phases, participants,
status hearings, phase decisions and the daily random draw of testing groups."""

from django.apps import AppConfig


class CourtConfig(AppConfig):
    name = "casebridge.court"
    label = "court"
    verbose_name = "Treatment court"

    def ready(self) -> None:
        from casebridge.access.policy import register_object_rule
        from casebridge.clients.extensions import (
            ClientTab,
            TimelineEntryKind,
            register_tab,
            register_timeline_kind,
        )
        from casebridge.court.services import TIMELINE_KIND
        from casebridge.court.team import may_read_hearing

        # A court team member's account reads its own court's hearings (court.team).
        register_object_rule("court.team_hearing", may_read_hearing)

        register_timeline_kind(TimelineEntryKind(TIMELINE_KIND, "Court", "read_clinical"))

        register_tab(
            ClientTab(
                label="Court", url_name="court_record", order=35, needs_action="read_clinical"
            )
        )

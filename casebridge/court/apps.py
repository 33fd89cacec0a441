"""App config for treatment (drug) courts: court programs and their phases, participants,
status hearings, phase decisions and the daily random draw of testing groups."""

from django.apps import AppConfig


class CourtConfig(AppConfig):
    name = "casebridge.court"
    label = "court"
    verbose_name = "Treatment court"

    def ready(self) -> None:
        from casebridge.clients.extensions import ClientTab, register_tab

        register_tab(
            ClientTab(
                label="Court", url_name="court_record", order=35, needs_action="read_clinical"
            )
        )

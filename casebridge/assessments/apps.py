"""App config for assessments: adds the Measures tab and instrument due dates."""

from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "casebridge.assessments"
    label = "assessments"

    def ready(self) -> None:
        from casebridge.assessments.definitions import all_instruments
        from casebridge.assessments.models import (
            InstrumentResponse,
            InstrumentSchedule,
            TimelineKind,
        )
        from casebridge.assessments.queries import instruments_due
        from casebridge.clients.extensions import (
            ClientTab,
            DueSource,
            TimelineEntryKind,
            register_due_provider,
            register_tab,
            register_timeline_kind,
        )

        all_instruments()  # a broken definition stops start-up, not a case manager's page
        register_tab(
            ClientTab(
                label="Assessment",
                url_name="assessment_list",
                order=15,
                needs_action="read_clinical",
            )
        )
        register_tab(
            ClientTab(label="Measures", url_name="measures", order=20, needs_action="read_clinical")
        )
        register_due_provider(
            instruments_due,
            needs_action="read_clinical",
            reads=[InstrumentResponse, DueSource(InstrumentSchedule, program="program_id")],
        )
        for kind in TimelineKind:
            register_timeline_kind(
                TimelineEntryKind(kind.value, str(kind.label), needs_action="read_clinical")
            )

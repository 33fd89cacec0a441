"""App config for applications and advocacy: the Applications tab, deadlines, expected decisions,
authorization reviews and appeal deadlines as due items, and the timeline kind. What a client
applies for (an authorization names a level of care for substance use treatment) is for those
who read clinical content."""

from django.apps import AppConfig


class AdvocacyConfig(AppConfig):
    name = "casebridge.advocacy"
    label = "advocacy"
    verbose_name = "Applications and advocacy"

    def ready(self) -> None:
        from casebridge.advocacy.models import Application
        from casebridge.advocacy.queries import applications_due
        from casebridge.advocacy.services import TIMELINE_KIND
        from casebridge.clients.extensions import (
            ClientTab,
            TimelineEntryKind,
            register_due_provider,
            register_tab,
            register_timeline_kind,
        )

        register_timeline_kind(TimelineEntryKind(TIMELINE_KIND, "Application", "read_clinical"))
        register_tab(
            ClientTab(
                label="Applications",
                url_name="application_list",
                order=30,
                needs_action="read_clinical",
            )
        )
        register_due_provider(applications_due, needs_action="read_clinical", reads=[Application])

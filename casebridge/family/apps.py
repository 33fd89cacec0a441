"""App config for family work: intervention planning with a family, before the person of
concern is a client."""

from django.apps import AppConfig


class FamilyConfig(AppConfig):
    name = "casebridge.family"
    label = "family"
    verbose_name = "Family and intervention planning"

    def ready(self) -> None:
        from casebridge.access.policy import register_object_rule
        from casebridge.clients.extensions import (
            ClientTab,
            TimelineEntryKind,
            register_tab,
            register_timeline_kind,
        )
        from casebridge.family.access import may_read_letters, may_read_plan
        from casebridge.family.services import FAMILY_KIND, TIMELINE_KIND

        register_object_rule("family.read_plan", may_read_plan)
        register_object_rule("family.read_letters", may_read_letters)
        # How a client came in through their family's intervention: the family's words.
        register_timeline_kind(TimelineEntryKind(TIMELINE_KIND, "Intervention", "read_clinical"))
        register_timeline_kind(TimelineEntryKind(FAMILY_KIND, "Family", "read_clinical"))
        # The family's involvement: contacts with them are clinical, as contact notes are.
        register_tab(
            ClientTab(
                label="Family", url_name="family_client", order=22, needs_action="read_clinical"
            )
        )

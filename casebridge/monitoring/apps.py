"""App config for monitoring: adds the Contact log and Check-ins tabs, notes to sign and co-sign
as due items, the timeline kinds (a contact's summary for the whole team, never its note), the
object rules for who changes and co-signs a note, and follows changes to contact standards."""

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class MonitoringConfig(AppConfig):
    name = "casebridge.monitoring"
    label = "monitoring"
    verbose_name = "Monitoring"

    def ready(self) -> None:
        from casebridge.access.policy import register_object_rule
        from casebridge.clients.extensions import (
            ClientTab,
            TimelineEntryKind,
            register_due_provider,
            register_tab,
            register_timeline_kind,
        )
        from casebridge.monitoring.formats import all_formats
        from casebridge.monitoring.models import ContactStandard, TimelineKind
        from casebridge.monitoring.queries import may_cosign_note, may_edit_note, notes_due
        from casebridge.monitoring.receivers import contact_standard_changed

        all_formats()  # a broken note format stops start-up, not a case manager's page
        # "Contacts" is already the tab of the people around the client (collaterals).
        register_tab(ClientTab(label="Contact log", url_name="contact_log", order=25))
        register_tab(
            ClientTab(
                label="Check-ins", url_name="check_in_list", order=27, needs_action="check_in"
            )
        )
        register_due_provider(notes_due, needs_action="record_contact")
        register_object_rule("monitoring.edit_note", may_edit_note)
        register_object_rule("monitoring.cosign_note", may_cosign_note)
        needs = {
            # That a contact happened (type, date, who, how long) is for the whole team; the
            # note itself is clinical and never on the timeline.
            TimelineKind.CONTACT: "view",
            TimelineKind.CHECK_IN: "check_in",
            TimelineKind.COACHING: "view",
        }
        for kind, action in needs.items():
            register_timeline_kind(TimelineEntryKind(kind.value, str(kind.label), action))
        for signal in (post_save, post_delete):
            signal.connect(
                contact_standard_changed,
                sender=ContactStandard,
                dispatch_uid=f"monitoring.contact_standard_changed.{signal is post_save}",
            )

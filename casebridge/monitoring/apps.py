"""App config for monitoring: adds the Contact log and Check-ins tabs, notes to sign and co-sign
as due items, the timeline kinds (a contact's summary for the whole team, never its note), the
object rules for who changes and co-signs a note, and follows changes to contact standards and
to a client's program or model of case management."""

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save, pre_save


class MonitoringConfig(AppConfig):
    name = "casebridge.monitoring"
    label = "monitoring"
    verbose_name = "Monitoring"

    def ready(self) -> None:
        from casebridge.access.policy import register_object_rule
        from casebridge.clients.extensions import (
            ClientTab,
            DueSource,
            TimelineEntryKind,
            register_due_provider,
            register_tab,
            register_timeline_kind,
        )
        from casebridge.clients.models import Client
        from casebridge.monitoring.formats import all_formats
        from casebridge.monitoring.models import (
            ContactNote,
            ContactNoteRules,
            ContactStandard,
            TimelineKind,
        )
        from casebridge.monitoring.queries import may_cosign_note, may_edit_note, notes_due
        from casebridge.monitoring.receivers import (
            client_counting_facts_changed,
            client_counting_facts_noted,
            contact_standard_changed,
        )

        all_formats()  # a broken note format stops start-up, not a case manager's page
        # "Contacts" is already the tab of the people around the client (collaterals).
        register_tab(ClientTab(label="Contact log", url_name="contact_log", order=25))
        register_tab(
            ClientTab(
                label="Check-ins", url_name="check_in_list", order=27, needs_action="check_in"
            )
        )
        register_due_provider(
            notes_due,
            needs_action="record_contact",
            reads=[ContactNote, DueSource(ContactNoteRules, program="program_id")],
        )
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
        pre_save.connect(
            client_counting_facts_noted,
            sender=Client,
            dispatch_uid="monitoring.client_counting_facts_noted",
        )
        post_save.connect(
            client_counting_facts_changed,
            sender=Client,
            dispatch_uid="monitoring.client_counting_facts_changed",
        )
        self._register_recovery()
        self._register_calendar()

    def _register_recovery(self) -> None:
        """The Recovery tab (drug screens, sobriety date, meetings, medications): the tab opens
        for anyone on the client, and each part of it asks for its own action; MOUD gaps are
        due items for clinical staff; screens and medications are clinical on the timeline, and
        meetings are for those who record check-ins (coaches included, intake not), as on the
        tab. The coach reads screens or medications too while the client shares them
        (services.sharing, asked through the object rules registered here)."""
        from casebridge.access.policy import register_object_rule
        from casebridge.clients.extensions import (
            ClientTab,
            TimelineEntryKind,
            register_due_provider,
            register_tab,
            register_timeline_kind,
        )
        from casebridge.monitoring.models.recovery import Medication
        from casebridge.monitoring.models.recovery import RecoveryTimelineKind as Kind
        from casebridge.monitoring.services.medications import moud_gaps_due
        from casebridge.monitoring.services.screens import catalogue
        from casebridge.monitoring.services.sharing import may_read_medications, may_read_screens

        catalogue()  # a broken panels.json stops start-up, not a drug screen being entered
        register_tab(ClientTab(label="Recovery", url_name="recovery", order=28))
        register_due_provider(moud_gaps_due, needs_action="read_clinical", reads=[Medication])
        for kind, action in {
            Kind.SCREEN: "read_clinical",
            Kind.MEETING: "check_in",
            Kind.MEDICATION: "read_clinical",
            Kind.COACH_SHARING: "view",
        }.items():
            register_timeline_kind(TimelineEntryKind(kind.value, str(kind.label), action))
        register_object_rule("monitoring.read_screens", may_read_screens)
        register_object_rule("monitoring.read_medications", may_read_medications)

    def _register_calendar(self) -> None:
        """The Calendar tab (for anyone on the client; health appointments' details only for
        those who read clinical content), appointments coming up and missed ones to follow up
        as due items, who records whether the client went, the appointment timeline kind, and
        the obligations a care plan puts on the calendar when it takes effect (plans never
        import monitoring: a care plan's save is followed here)."""
        from casebridge.access.policy import register_object_rule
        from casebridge.clients.extensions import (
            ClientTab,
            TimelineEntryKind,
            register_due_provider,
            register_tab,
            register_timeline_kind,
        )
        from casebridge.monitoring.calendar import (
            appointments_due,
            health_appointments_due,
            may_record_attendance,
        )
        from casebridge.monitoring.models.appointments import TIMELINE_KIND, Appointment
        from casebridge.monitoring.receivers import care_plan_saved
        from casebridge.plans.models import CarePlan

        register_tab(ClientTab(label="Calendar", url_name="client_calendar", order=26))
        register_due_provider(appointments_due, needs_action="view", reads=[Appointment])
        register_due_provider(
            health_appointments_due, needs_action="read_clinical", reads=[Appointment]
        )
        register_object_rule("monitoring.record_attendance", may_record_attendance)
        # Health appointments' entries are written asking for read_clinical (appointments.py).
        register_timeline_kind(TimelineEntryKind(TIMELINE_KIND, "Appointment", "view"))
        post_save.connect(
            care_plan_saved, sender=CarePlan, dispatch_uid="monitoring.care_plan_saved"
        )

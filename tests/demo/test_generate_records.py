"""A small generate makes every kind of record a client has, consistent as the services would
leave it: appointments past and ahead with their statuses, drug screens with a result for each
substance of their panel, meetings, the timeline entries the services write, the relapse-risk
flag a screen raises, and a last contact that is the newest note that counts."""

from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Max
from django.utils import timezone

from casebridge.clients.models import Client, ClientFlag, TimelineEntry
from casebridge.clients.services import timeline_add
from casebridge.demo.management.commands.generate import ORGANISATION, _catalogue, records_mix
from casebridge.monitoring.models import CheckIn, ContactNote, ContactType
from casebridge.monitoring.models.appointments import (
    CLINICAL_KINDS,
    Appointment,
    AppointmentKind,
)
from casebridge.monitoring.models.recovery import DrugScreen, MeetingAttendance, ScreenResult
from casebridge.monitoring.standards import counting_types
from casebridge.monitoring.statuses import RECORDED

CLIENTS, RECORDS = 20, 30


@pytest.fixture
def clients(db):
    call_command(
        "generate", clients=CLIENTS, records_per_client=RECORDS, caseload=5, stdout=StringIO()
    )
    return list(Client.objects.filter(organisation__name=ORGANISATION))


@pytest.mark.django_db
def test_every_client_gets_every_kind_of_record(clients):
    mix = records_mix(RECORDS)
    for client in clients:
        assert client.contact_notes.count() == mix["notes"]
        assert client.check_ins.count() == mix["check_ins"]
        assert client.appointments.count() == mix["appointments"]
        assert client.drug_screens.count() == mix["screens"]
        assert client.meetings_attended.count() == mix["meetings"]
    assert sum(mix.values()) == RECORDS


@pytest.mark.django_db
def test_appointments_are_attended_missed_cancelled_or_ahead(clients):
    now = timezone.now()
    statuses = Counter(Appointment.objects.values_list("status", flat=True))
    assert set(statuses) == {"attended", "missed", "cancelled", "scheduled"}
    assert statuses["attended"] > statuses["missed"] + statuses["cancelled"]
    assert not Appointment.objects.filter(status="scheduled", starts_at__lt=now).exists()
    assert not Appointment.objects.exclude(status="scheduled").filter(starts_at__gt=now).exists()
    assert Appointment.objects.filter(kind=AppointmentKind.COURT).exists()
    assert Appointment.objects.filter(series__recurrence="weekly").exists()
    # Missed ones a week old are followed up; the newest may still be due.
    missed = Appointment.objects.filter(status="missed")
    assert missed.filter(followed_up_at__isnull=False).exists()
    for appointment in missed:
        day = timezone.localdate(appointment.starts_at)
        told = TimelineEntry.objects.get(
            client_id=appointment.client_id,
            kind="appointment",
            summary__startswith=f"Missed {appointment.get_kind_display().lower()}: "
            f"{day:%b} {day.day}, {day.year}",
        )
        # A health appointment's entry is for those who read clinical content.
        clinical = appointment.kind in CLINICAL_KINDS
        assert told.needs_action == ("read_clinical" if clinical else "view")
    # One a day at most: none overlaps another of the client's.
    for client in clients:
        days = [timezone.localdate(a.starts_at) for a in client.appointments.all()]
        assert len(days) == len(set(days))


@pytest.mark.django_db
def test_screens_have_a_result_per_substance_and_are_mostly_negative(clients):
    panels = _catalogue().panels
    outcomes = Counter(DrugScreen.objects.values_list("outcome", flat=True))
    assert outcomes["negative"] > sum(outcomes.values()) / 2
    assert outcomes["positive"] >= 1
    for screen in DrugScreen.objects.prefetch_related("results"):
        substances = [result.substance for result in screen.results.all()]
        if screen.status == "tested":
            assert sorted(substances) == sorted(panels[screen.panel])
        else:
            assert substances == [] and screen.outcome == screen.status
    # The last known use of a caseload reads unexpected positives only.
    assert ScreenResult.objects.filter(result="positive", expected=False).exists()
    assert TimelineEntry.objects.filter(kind="screen", needs_action="read_clinical").count() == (
        DrugScreen.objects.count()
    )
    # A positive, a refusal or a missed screen finds the relapse-risk flag up: raised by it or
    # an earlier one, and cleared (with a note) only afterwards.
    raised = DrugScreen.objects.filter(outcome__in=["positive", "refused", "missed"])
    assert raised.exists()
    for screen in raised:
        flags = ClientFlag.objects.filter(
            client_id=screen.client_id, kind="high_risk", raised_at__lte=screen.recorded_at
        )
        assert (
            flags.filter(cleared_at__isnull=True).exists()
            or flags.filter(cleared_at__gte=screen.recorded_at).exists()
        )
    cleared = ClientFlag.objects.filter(kind="high_risk", cleared_at__isnull=False)
    assert cleared.exists() and not cleared.filter(clear_note="").exists()
    assert TimelineEntry.objects.filter(
        kind="flag", summary__startswith="Flag cleared"
    ).count() == (cleared.count())


@pytest.mark.django_db
def test_the_timeline_tells_each_record_when_it_happened(clients):
    kinds = Counter(TimelineEntry.objects.values_list("kind", flat=True))
    assert kinds["check_in"] == CheckIn.objects.count()
    assert kinds["meeting"] == MeetingAttendance.objects.count()
    assert kinds["contact"] == ContactNote.objects.filter(signed_at__isnull=False).count()
    assert TimelineEntry.objects.filter(at__gt=timezone.now()).count() == 0
    for client in clients:
        newest = client.timeline.order_by("-at").first()
        assert newest.at > client.registered_at


@pytest.mark.django_db
def test_last_contact_is_the_newest_note_that_counts(clients):
    for client in clients:
        recorded = ContactNote.objects.filter(client=client, status__in=RECORDED)
        counting = counting_types(client.program_id, client.case_management_model)
        newest = recorded.filter(contact_type__in=counting).aggregate(at=Max("contact_at"))
        attempt = recorded.filter(contact_type=ContactType.ATTEMPTED).aggregate(
            at=Max("contact_at")
        )
        assert client.last_contact_at == newest["at"]
        assert client.last_attempt_at == attempt["at"]
    assert any(client.last_contact_at for client in clients)


@pytest.mark.django_db
def test_rows_made_afterwards_get_new_ids(clients):
    """The ids generate gave are behind every table's sequence (PostgreSQL keeps one apart)."""
    client = clients[0]
    before = TimelineEntry.objects.aggregate(top=Max("pk"))["top"]
    timeline_add(client=client, kind="registered", summary="Another", actor=None)
    assert TimelineEntry.objects.aggregate(top=Max("pk"))["top"] > before
    call_command("generate", clients=3, records_per_client=10, stdout=StringIO())
    assert Client.objects.count() == CLIENTS + 3

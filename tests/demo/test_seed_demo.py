"""The demo data records contacts, check-ins and coaching through the monitoring services, so a
client's last contact and next contact due are what the signed notes say; loading it again with
--if-empty changes nothing."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from casebridge.accounts.demo import DEMO_ORGANISATION
from casebridge.clients.models import Client
from casebridge.monitoring import queries
from casebridge.monitoring.models import CheckIn, CoachingSession, ContactNote
from casebridge.monitoring.statuses import RECORDED


@pytest.fixture
def demo(db):
    call_command("seed_demo", seed=11, clients=16, stdout=StringIO())
    return Client.objects.filter(organisation__name=DEMO_ORGANISATION)


def test_clients_have_signed_notes_of_several_kinds_in_their_programs_format(demo):
    notes = ContactNote.objects.filter(client__in=demo)
    assert notes.exists() and not notes.exclude(status__in=RECORDED).exists()
    kinds = set(notes.values_list("contact_type", flat=True))
    assert {"face_to_face", "phone", "attempted"} <= kinds
    for note in notes.select_related("client"):
        assert note.note_format == queries.format_for(note.client).code
        assert set(note.sections) == {s.key for s in queries.format_for(note.client).sections}
        assert note.contact_at < note.signed_at <= timezone.now()


def test_last_contact_and_next_due_are_worked_out_from_the_notes(demo):
    with_notes = 0
    for client in demo:
        times = queries.contact_times(client)
        assert (client.last_contact_at, client.last_attempt_at) == (
            times.last_contact_at,
            times.last_attempt_at,
        )
        with_notes += client.contact_notes.exists()
    assert 0 < with_notes < demo.count()  # some clients in engagement have none yet
    before = dict(demo.values_list("pk", "next_contact_due_at"))
    demo.refresh_caseload_facts()
    assert dict(demo.values_list("pk", "next_contact_due_at")) == before


def test_a_late_entry_is_one_signed_days_after_and_the_timeline_says_so_only_then(demo):
    for note in ContactNote.objects.filter(client__in=demo).select_related("client"):
        days = (timezone.localdate(note.signed_at) - timezone.localdate(note.contact_at)).days
        late_after = queries.note_rules(note.client.program_id).late_after_days
        assert note.late_entry == (days > late_after)
    summaries = [
        e.summary
        for c in demo
        for e in c.timeline.filter(kind="contact", summary__contains="late entry")
    ]
    late = ContactNote.objects.filter(client__in=demo, late_entry=True).count()
    assert len(summaries) == late


def test_check_ins_vary_and_coached_clients_have_a_session(demo):
    check_ins = CheckIn.objects.filter(client__in=demo)
    assert check_ins.count() >= 3
    assert len(set(check_ins.values_list("mood", "craving"))) > 2
    assert not check_ins.filter(checked_in_at__gt=timezone.now()).exists()
    coached = demo.filter(coach__isnull=False)
    assert CoachingSession.objects.filter(client__in=coached).count() == coached.count()


def test_loading_again_if_empty_adds_nothing(demo):
    counts = (demo.count(), ContactNote.objects.count(), CheckIn.objects.count())
    call_command("seed_demo", if_empty=True, stdout=StringIO())
    assert (demo.count(), ContactNote.objects.count(), CheckIn.objects.count()) == counts

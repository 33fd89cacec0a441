"""Program administrators set the note format, late entries, co-signature and which contacts
count, in the configuration screens; every change is on the audit trail and reaches the notes."""

from casebridge.audit.models import AuditEvent
from casebridge.monitoring.models import ContactNoteRules, ContactStandard
from casebridge.monitoring.queries import format_for
from tests.factories import ProgramFactory


def test_a_program_chooses_its_note_format_and_the_change_is_audited(client, world):
    client.force_login(world.ada)
    response = client.post(
        "/admin/monitoring/contactnoterules/add/",
        {
            "program": world.program.pk,
            "note_format": "girp",
            "late_after_days": "2",
            "supervisor_cosign": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    rules = ContactNoteRules.objects.get()
    assert (rules.note_format, rules.late_after_days, rules.supervisor_cosign) == ("girp", 2, True)
    assert format_for(world.client).name == "GIRP"
    event = AuditEvent.objects.get(object_type="monitoring.contactnoterules")
    assert event.action == "create" and event.organisation_id == world.org.pk
    assert event.changes["note_format"] == [None, "girp"]


def test_an_unknown_note_format_is_refused(client, world):
    client.force_login(world.ada)
    response = client.post(
        "/admin/monitoring/contactnoterules/add/",
        {"program": world.program.pk, "note_format": "haiku", "late_after_days": "3"},
    )
    assert response.status_code == 200
    assert not ContactNoteRules.objects.exists()


def test_which_contacts_count_is_set_per_program_and_model_without_attempts(client, world):
    client.force_login(world.ada)
    add = "/admin/monitoring/contactstandard/add/"
    assert "Attempted, not reached" not in client.get(add).content.decode()
    response = client.post(
        add,
        {"program": world.program.pk, "model": "intensive", "counting_types": ["text", "visit"]},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert ContactStandard.objects.get().counting_types == ["text", "visit"]
    assert AuditEvent.objects.filter(object_type="monitoring.contactstandard").exists()


def test_an_administrator_sees_only_their_own_programs(client, world):
    foreign = ProgramFactory(organisation=world.other_org)
    ContactNoteRules.objects.create(program=foreign)
    client.force_login(world.ada)
    page = client.get("/admin/monitoring/contactnoterules/").content.decode()
    assert foreign.name not in page


def test_staff_who_work_with_clients_do_not_configure(client, world):
    client.force_login(world.alice)
    response = client.get("/admin/monitoring/contactnoterules/add/")
    assert response.status_code == 302 and "/login" in response["Location"]

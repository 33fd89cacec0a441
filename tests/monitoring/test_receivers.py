"""Which contacts count depends on the client's program and model of case management, so moving a
client to another program or model works their last contact out again from the signed notes, by
the rule of where they are now; a save that changes neither leaves it alone."""

from datetime import timedelta

from django.db import transaction

from casebridge.accounts.models import CaseManagementModel, ProgramModelRule
from casebridge.clients import services as client_services
from casebridge.clients.models import Client
from casebridge.monitoring.models import ContactStandard
from tests.monitoring.helpers import days_ago, write_note


def _notes(world):
    """A face-to-face contact five days ago and a phone call yesterday, both signed."""
    in_person = write_note(
        world.client, world.alice, sign=True, contact_type="face_to_face", contact_at=days_ago(5)
    )
    call = write_note(
        world.client, world.alice, sign=True, contact_type="phone", contact_at=days_ago(1)
    )
    return in_person, call


def _update(world, by=None, **fields):
    client = Client.objects.get(pk=world.client.pk)
    program = fields.pop("program", None)
    if program is not None:
        with transaction.atomic():
            client = client_services.client_program_move(
                client=client, by=by or world.alice, to_program=program, reason="Stepped up"
            )
    if not fields:
        return client
    return client_services.client_update(
        client=client, by=by or world.alice, version=client.version, **fields
    )


def _stored(world):
    return Client.objects.values_list("last_contact_at", "next_contact_due_at").get(
        pk=world.client.pk
    )


def test_a_move_to_intensive_case_management_stops_a_phone_call_counting(world):
    in_person, call = _notes(world)
    ProgramModelRule.objects.create(
        program=world.program,
        model=CaseManagementModel.INTENSIVE,
        contact_every_days=3,
        caseload_cap=12,
    )
    assert _stored(world)[0] == call.contact_at  # clinical: a phone call counts

    _update(world, case_management_model=CaseManagementModel.INTENSIVE)
    last, due = _stored(world)
    assert last == in_person.contact_at  # intensive: only contact in person counts
    assert due == in_person.contact_at + timedelta(days=3)

    _update(world, case_management_model=CaseManagementModel.CLINICAL)
    assert _stored(world)[0] == call.contact_at


def test_a_move_to_another_program_follows_that_programs_standard(world):
    in_person, _call = _notes(world)
    ContactStandard.objects.create(
        program=world.other_program,
        model=CaseManagementModel.CLINICAL,
        counting_types=["face_to_face"],
    )
    world.sue.programs.add(world.other_program)
    _update(world, by=world.sue, program=world.other_program)
    assert _stored(world)[0] == in_person.contact_at


def test_a_program_where_nothing_recorded_counts_leaves_no_last_contact(world):
    write_note(world.client, world.alice, sign=True, contact_type="phone", contact_at=days_ago(2))
    ContactStandard.objects.create(
        program=world.other_program, model=CaseManagementModel.CLINICAL, counting_types=["visit"]
    )
    world.sue.programs.add(world.other_program)
    _update(world, by=world.sue, program=world.other_program)
    assert _stored(world)[0] is None


def test_a_save_that_changes_neither_program_nor_model_leaves_last_contact_alone(world):
    _notes(world)
    # Kept by hand here only to see whether anything recomputes it.
    kept = days_ago(30)
    Client.objects.filter(pk=world.client.pk).update(last_contact_at=kept)
    _update(world, email="new@example.org")
    client = Client.objects.get(pk=world.client.pk)
    client.stage = "review"
    client.save()
    assert _stored(world)[0] == kept


def test_a_client_without_signed_notes_keeps_the_last_contact_they_came_with(world):
    kept = days_ago(4)
    Client.objects.filter(pk=world.client.pk).update(last_contact_at=kept)
    write_note(world.client, world.alice, contact_type="face_to_face")  # a draft only
    _update(world, case_management_model=CaseManagementModel.INTENSIVE)
    assert _stored(world)[0] == kept


def test_a_save_naming_other_fields_asks_nothing_of_the_database(world, django_assert_num_queries):
    client = Client.objects.get(pk=world.client.pk)
    client.email = "quiet@example.org"
    # The save itself and nothing else: no look-up of the stored program and model.
    with django_assert_num_queries(1):
        client.save(update_fields=["email"])

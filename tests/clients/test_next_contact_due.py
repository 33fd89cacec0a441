"""The next contact due and the open safety concern that the caseload sorts by are kept on the
client row; whatever changes the facts they follow brings them in step."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from casebridge.clients import services
from casebridge.clients.models import Client, ClientFlag
from tests.clients.test_register import VALID
from tests.factories import ClientFactory, ProgramModelRuleFactory


def stored(record: Client) -> tuple:
    return Client.objects.values_list("next_contact_due_at", "has_open_safety_flag").get(
        pk=record.pk
    )


def test_a_registered_client_is_due_a_contact_a_rule_after_registration(world):
    fields = VALID | {"program": world.program, "case_management_model": "clinical"}
    fields["date_of_birth"] = "1988-03-14"
    registered = services.client_register(by=world.alice, **fields)
    assert stored(registered) == (registered.registered_at + timedelta(days=14), False)
    assert registered.next_contact_due_at == registered.registered_at + timedelta(days=14)


def test_the_due_date_follows_the_last_contact(world):
    contact = timezone.now() - timedelta(days=3)
    Client.objects.filter(pk=world.client.pk).update(last_contact_at=contact)
    assert stored(world.client)[0] == contact + timedelta(days=14)


def test_contacts_recorded_elsewhere_move_the_due_date_and_an_attempt_does_not(world):
    contact = timezone.now() - timedelta(days=20)
    attempt = timezone.now() - timedelta(days=1)
    updated = services.contact_times_set(
        client=world.client, last_contact_at=contact, last_attempt_at=attempt
    )
    assert updated.next_contact_due_at == contact + timedelta(days=14) == stored(updated)[0]
    assert Client.objects.values_list("last_contact_at", "last_attempt_at").get(
        pk=world.client.pk
    ) == (contact, attempt)


def test_changing_the_model_or_the_program_moves_the_due_date(world):
    ProgramModelRuleFactory(program=world.program, model="intensive", contact_every_days=3)
    updated = services.client_update(
        client=world.client,
        by=world.alice,
        version=world.client.version,
        case_management_model="intensive",
    )
    assert updated.next_contact_due_at == updated.registered_at + timedelta(days=3)
    assert stored(updated)[0] == updated.registered_at + timedelta(days=3)
    world.sue.programs.add(world.other_program)
    with transaction.atomic():
        moved = services.client_program_move(
            client=updated,
            by=world.sue,
            to_program=world.other_program,
            reason="Needs residential care",
        )
    assert stored(moved)[0] is None  # the other program has no rule for the model


def test_a_concluded_case_is_due_nothing_until_it_is_reopened(world):
    closed = services.case_move_stage(
        client=world.client, to_stage="conclusion", by=world.alice, reason="Done", version=1
    )
    assert stored(closed)[0] is None
    reopened = services.case_move_stage(
        client=closed, to_stage="engagement", by=world.alice, reason="Back", version=2
    )
    assert stored(reopened)[0] == reopened.registered_at + timedelta(days=14)


@pytest.mark.parametrize(("kind", "counts"), [("safety", True), ("high_risk", False)])
def test_an_open_safety_flag_is_noted_until_it_is_cleared(world, kind, counts):
    flag = services.flag_raise(client=world.client, by=world.alice, kind=kind)
    assert stored(world.client)[1] is counts
    services.flag_clear(flag=flag, by=world.alice, note="Safe now")
    assert stored(world.client)[1] is False


def test_a_deleted_safety_flag_no_longer_counts(world):
    flag = ClientFlag.objects.create(client=world.client, kind="safety", raised_by=world.alice)
    assert stored(world.client)[1] is True
    flag.delete()
    assert stored(world.client)[1] is False


def test_a_contact_rule_edited_or_removed_in_settings_moves_every_client_it_applies_to(world):
    rule = world.program.model_rules.get()
    rule.contact_every_days = 7
    rule.save()
    for record in (world.client, world.engagement_client):
        assert stored(record)[0] == record.registered_at + timedelta(days=7)
    assert stored(world.foreign_client)[0] is None  # another organisation's program
    rule.delete()
    assert stored(world.client)[0] is None


def test_clients_written_in_bulk_are_worked_out_on_request(world):
    made = Client.objects.bulk_create(
        [
            ClientFactory.build(
                program=world.program, registered_by=world.ivy, case_number=f"BULK-{n}"
            )
            for n in range(3)
        ]
    )
    ClientFlag.objects.bulk_create(
        [ClientFlag(client=made[0], kind="safety", raised_by=world.alice)]
    )
    assert Client.objects.filter(pk__in=[c.pk for c in made]).refresh_caseload_facts() == 3
    first = Client.objects.get(pk=made[0].pk)
    assert stored(first) == (first.registered_at + timedelta(days=14), True)

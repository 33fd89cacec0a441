"""Rough edges a case manager hit: a move to another program says from which, to which and why,
and only an admission at a level of care makes it (never an edit of the details)."""

import pytest
from django.core.exceptions import ValidationError

from casebridge.audit.models import AuditEvent
from casebridge.clients import services
from casebridge.clients.models import Client, TimelineEntry
from tests.clients.test_concurrency import edit_data


@pytest.fixture(autouse=True)
def _sue_supervises_both_programs(world):
    world.sue.programs.add(world.other_program)


def test_a_program_move_without_a_reason_is_refused_and_nothing_is_saved(world):
    entries = TimelineEntry.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.client_program_move(
            client=world.client, by=world.sue, to_program=world.other_program, reason="   "
        )
    assert "reason" in refused.value.error_dict
    stored = Client.objects.get(pk=world.client.pk)
    assert stored.program == world.program and stored.version == world.client.version
    assert TimelineEntry.objects.count() == entries
    assert not AuditEvent.objects.filter(client_id=world.client.pk, action="update").exists()


@pytest.mark.parametrize("where", ["another organisation", "a program the person is not in"])
def test_a_move_only_goes_to_a_program_the_person_works_in(world, where):
    program = world.other_org_program if where == "another organisation" else world.other_program
    with pytest.raises(ValidationError) as refused:
        services.client_program_move(
            client=world.client, by=world.alice, to_program=program, reason="Moving"
        )
    assert "program" in refused.value.error_dict
    assert Client.objects.get(pk=world.client.pk).program == world.program


def test_a_program_move_on_the_timeline_says_from_to_and_why(world):
    services.client_program_move(
        client=world.client,
        by=world.sue,
        to_program=world.other_program,
        reason=" Stepped up after a relapse ",
    )
    entry = world.client.timeline.first()
    assert entry.summary == "Moved from Outpatient to Residential: Stepped up after a relapse"
    assert entry.kind == "program" and entry.actor == world.sue


def test_a_program_move_is_audited_with_both_program_ids_and_the_reason(world):
    services.client_program_move(
        client=world.client,
        by=world.sue,
        to_program=world.other_program,
        reason="Stepped up after a relapse",
    )
    event = AuditEvent.objects.filter(client_id=world.client.pk, action="update").latest("id")
    assert event.changes["program"] == [world.program.pk, world.other_program.pk]
    assert event.changes["reason"] == [None, "Stepped up after a relapse"]
    assert event.changes["version"] == [1, 2]


def test_a_long_reason_is_kept_whole_in_the_entrys_detail(world):
    reason = "Stepped up to residential care. " * 20
    services.client_program_move(
        client=world.client, by=world.sue, to_program=world.other_program, reason=reason
    )
    entry = world.client.timeline.first()
    assert len(entry.summary) <= 300 and entry.summary.endswith("…")
    assert entry.detail == reason.strip()


def test_details_without_a_program_move_read_as_before_and_need_no_reason(world):
    services.client_update(
        client=world.client, by=world.alice, version=world.client.version, preferred_name="JJ"
    )
    assert world.client.timeline.first().summary == "Details updated: preferred name"
    event = AuditEvent.objects.filter(client_id=world.client.pk, action="update").latest("id")
    assert "reason" not in event.changes


def test_the_program_is_not_an_editable_detail(world):
    with pytest.raises(ValueError):
        services.client_update(
            client=world.client,
            by=world.sue,
            version=world.client.version,
            program=world.other_program,
        )
    assert Client.objects.get(pk=world.client.pk).program == world.program


def test_the_edit_form_leaves_the_program_to_levels_of_care(client, world):
    world.alice.programs.add(world.other_program)
    client.force_login(world.alice)
    url = f"/clients/{world.client.pk}/details/"
    page = client.get(url).content.decode()
    assert 'name="program"' not in page
    saved = client.post(url, edit_data(world.client, program=world.other_program.pk))
    assert saved.status_code == 302
    assert Client.objects.get(pk=world.client.pk).program == world.program

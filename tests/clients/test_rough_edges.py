"""Rough edges a case manager hit: a move to another program says from which to which."""

from casebridge.clients import services


def test_a_program_change_on_the_timeline_names_both_programs(world):
    services.client_update(
        client=world.client,
        by=world.sue,
        version=world.client.version,
        program=world.other_program,
    )
    summary = world.client.timeline.first().summary
    assert summary == "Program: Outpatient → Residential"


def test_other_changed_details_are_still_listed_beside_the_program_move(world):
    services.client_update(
        client=world.client,
        by=world.sue,
        version=world.client.version,
        preferred_name="JJ",
        program=world.other_program,
    )
    summary = world.client.timeline.first().summary
    assert summary == "Details updated: preferred name; Program: Outpatient → Residential"


def test_details_without_a_program_move_read_as_before(world):
    services.client_update(
        client=world.client, by=world.alice, version=world.client.version, preferred_name="JJ"
    )
    assert world.client.timeline.first().summary == "Details updated: preferred name"

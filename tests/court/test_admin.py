"""A program administrator sets up the agency's treatment court and its phases in the
configuration screens, on the audit trail; another agency's courts are not theirs to see."""

import pytest
from django.core.exceptions import ValidationError

from casebridge.audit.models import AuditEvent
from casebridge.court.models import CourtProgram, Phase
from casebridge.court.models import TestingGroup as ColourGroup
from tests.factories import ProgramFactory

ADD = "/admin/court/courtprogram/add/"


def inline(prefix: str, rows: list[dict[str, str]]) -> dict[str, str]:
    form = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for n, row in enumerate(rows):
        form |= {f"{prefix}-{n}-{name}": value for name, value in row.items()}
    return form


def phase(number: int, name: str, min_days: str) -> dict[str, str]:
    return {
        "number": str(number),
        "name": name,
        "min_days": min_days,
        "days_without_use": "14",
        "tests_per_week": "3",
        "hearing_every_days": "14",
        "meetings_per_week": "2",
        "treatment_hours_per_week": "6",
        "community_service_hours": "0",
    }


def test_an_administrator_sets_up_a_court_with_its_phases_on_the_audit_trail(client, world):
    client.force_login(world.ada)
    response = client.post(
        ADD,
        {
            "name": "Adult Drug Court",
            "court_name": "Superior Court, Dept 12",
            "judge_name": "Judge Okafor",
            "program": world.program.pk,
            "active": "on",
            **inline("phases", [phase(1, "Orientation", "30"), phase(2, "Treatment", "90")]),
            **inline("testing_groups", []),
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    court = CourtProgram.objects.get()
    assert court.organisation == world.org
    assert len(court.draw_seed) == 64  # made with the court, never typed or shown
    assert (
        court.draw_seed
        not in client.get(f"/admin/court/courtprogram/{court.pk}/change/").content.decode()
    )
    assert list(Phase.objects.values_list("number", "min_days")) == [(1, 30), (2, 90)]
    event = AuditEvent.objects.get(object_type="court.courtprogram")
    assert event.action == "create" and event.organisation_id == world.org.pk


def test_two_phases_with_one_number_are_refused(client, world):
    client.force_login(world.ada)
    response = client.post(
        ADD,
        {
            "name": "DUI Court",
            "court_name": "Dept 3",
            "program": world.program.pk,
            **inline("phases", [phase(1, "One", "30"), phase(1, "Also one", "30")]),
            **inline("testing_groups", []),
        },
    )
    assert response.status_code == 200
    assert not CourtProgram.objects.exists()


def test_an_administrator_sees_only_their_own_agencys_courts(client, world):
    foreign = ProgramFactory(organisation=world.other_org)
    CourtProgram.objects.create(
        organisation=world.other_org, program=foreign, name="Elsewhere Court", court_name="X"
    )
    client.force_login(world.ada)
    page = client.get("/admin/court/courtprogram/").content.decode()
    assert "Elsewhere Court" not in page
    form = client.get(ADD).content.decode()
    assert f'value="{foreign.pk}"' not in form


def test_case_managers_do_not_reach_the_court_setup(client, world):
    client.force_login(world.alice)
    assert client.get(ADD).status_code in {302, 403, 404}


def test_a_testing_group_takes_a_phase_of_its_own_court(world):
    ours = CourtProgram.objects.create(
        organisation=world.org, program=world.program, name="Ours", court_name="1"
    )
    theirs = CourtProgram.objects.create(
        organisation=world.org, program=world.program, name="Theirs", court_name="2"
    )
    their_phase = Phase.objects.create(court_program=theirs, number=1, name="One")
    with pytest.raises(ValidationError, match="this court's phases"):
        ColourGroup(court_program=ours, phase=their_phase, colour="Blue").full_clean()


def test_an_administrator_sets_up_the_schedule_of_responses_for_their_own_courts(client, world):
    from casebridge.court.models import Behaviour, CourtProgram

    mine = CourtProgram.objects.create(
        organisation=world.org, program=world.program, name="Mine", court_name="Dept 1"
    )
    other_program = world.other_org_program
    theirs = CourtProgram.objects.create(
        organisation=world.other_org, program=other_program, name="Theirs", court_name="Dept 9"
    )
    Behaviour.objects.create(court_program=theirs, name="Their behaviour")
    client.force_login(world.ada)
    add = client.get("/admin/court/behaviour/add/").content.decode()
    assert "Mine" in add and "Theirs" not in add
    response = client.post(
        "/admin/court/behaviour/add/",
        {
            "court_program": mine.pk,
            "name": "Missed a test",
            "positive": "",
            "steps-TOTAL_FORMS": "2",
            "steps-INITIAL_FORMS": "0",
            "steps-0-step": "1",
            "steps-0-from_phase": "1",
            "steps-0-kind": "service",
            "steps-0-description": "Another test the next day",
            "steps-1-step": "1",
            "steps-1-from_phase": "3",
            "steps-1-kind": "sanction",
            "steps-1-description": "A day of community service",
        },
    )
    assert response.status_code == 302
    made = Behaviour.objects.get(name="Missed a test")
    assert [s.kind for s in made.steps.order_by("from_phase")] == ["service", "sanction"]
    listing = client.get("/admin/court/behaviour/").content.decode()
    assert "Missed a test" in listing and "Their behaviour" not in listing
    refused = client.post(
        "/admin/court/behaviour/add/",
        {
            "court_program": theirs.pk,
            "name": "Sneaky",
            "steps-TOTAL_FORMS": "0",
            "steps-INITIAL_FORMS": "0",
        },
    )
    assert refused.status_code == 200 and not Behaviour.objects.filter(name="Sneaky").exists()


@pytest.mark.django_db
def test_a_court_team_account_gets_its_seat_from_the_administrator(client, world):
    from casebridge.accounts.models import Role
    from casebridge.court.models import CourtTeamMember
    from tests.factories import StaffFactory

    court = CourtProgram.objects.create(
        organisation=world.org, program=world.program, name="Drug Court", court_name="Dept 4"
    )
    jude = StaffFactory(username="jude", organisation=world.org, role=Role.COURT_TEAM)
    far = StaffFactory(username="faraway", organisation=world.other_org, role=Role.COURT_TEAM)
    client.force_login(world.ada)
    page = client.get("/admin/court/courtteammember/add/").content.decode()
    page = page[page.index('name="user"') :]
    page = page[: page.index("</select>")]
    # Only this agency's court team accounts can take a seat: not staff, not another agency's.
    assert f'<option value="{jude.pk}">' in page
    assert f'<option value="{far.pk}">' not in page
    assert f'<option value="{world.alice.pk}">' not in page
    response = client.post(
        "/admin/court/courtteammember/add/",
        {
            "user": jude.pk,
            "court_program": court.pk,
            "seat": "supervising_officer",
            "agency_name": "County Probation",
        },
    )
    assert response.status_code == 302
    seat = CourtTeamMember.objects.get(user=jude)
    assert seat.court_program == court and seat.agency_name == "County Probation"
    assert AuditEvent.objects.filter(object_type="court.courtteammember").exists()

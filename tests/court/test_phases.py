"""A participant's phase: what the record says of its criteria at their boundaries, moving up
only at a hearing, with the team's reason when the criteria are not met, and hearings only on
days still to come."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from casebridge.audit.models import AuditEvent
from casebridge.audit.versions import VersionConflict
from casebridge.court import progress, services
from casebridge.court.models import (
    CourtProgram,
    DailyDraw,
    Hearing,
    Participant,
    PhaseChange,
)
from casebridge.court.models import (
    TestingGroup as ColourGroup,
)
from tests.monitoring.recovery_helpers import all_negative, record_meeting, record_screen

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


def days_ago(n):
    return today() - timedelta(days=n)


def enrol(world, court, entered_days_ago=40):
    return services.participant_enrol(
        client=world.client,
        court_program=court,
        by=world.alice,
        docket_number="CR-2026-0412",
        charge_category="possession",
        track="post_plea",
        entered_on=days_ago(entered_days_ago),
    )


def hearing_on(world, court, day):
    return Hearing.objects.create(court_program=court, held_on=day, created_by=world.alice)


def meetings(world, count, within_days=27):
    for n in range(count):
        record_meeting(world, attended_on=days_ago(n % (within_days + 1)))


def by_label(criteria):
    return {c.label: c for c in criteria}


def test_a_client_enters_the_court_in_its_first_phase_on_the_audit_trail(world, court):
    participant = enrol(world, court)
    assert participant.phase.number == 1
    assert participant.phase_started_on == days_ago(40)
    assert AuditEvent.objects.filter(
        object_type="court_participant", action="create", client_id=world.client.pk
    ).exists()


@pytest.mark.parametrize("person", ["cody", "ivy", "bob", "otto", "charlie"])
def test_only_the_clients_case_manager_or_supervisor_keeps_the_court_record(world, court, person):
    with pytest.raises(ValidationError, match="case manager or a supervisor"):
        services.participant_enrol(
            client=world.client,
            court_program=court,
            by=getattr(world, person),
            docket_number="CR-1",
            charge_category="possession",
            track="post_plea",
            entered_on=today(),
        )
    assert not Participant.objects.exists()


def test_a_client_takes_part_in_one_court_at_a_time(world, court):
    enrol(world, court)
    with pytest.raises(ValidationError, match="already takes part"):
        enrol(world, court)


@pytest.mark.parametrize(
    "in_phase, met", [(29, False), (30, True), (31, True)], ids=["a day short", "exactly", "after"]
)
def test_days_in_the_phase_at_its_boundary(world, court, in_phase, met):
    participant = enrol(world, court, entered_days_ago=in_phase)
    assert by_label(progress.phase_criteria(participant))["Days in this phase"].met is met


@pytest.mark.parametrize("used_days_ago, met", [(13, False), (14, True)])
def test_days_without_use_count_from_the_sobriety_date(world, court, used_days_ago, met):
    """A positive on day D makes D+1 the sobriety date, day 1 without use: 14 days in a row
    are met on day D+14."""
    participant = enrol(world, court)
    record_screen(
        world, collected_on=days_ago(used_days_ago), results=all_negative(cocaine="positive")
    )
    criterion = by_label(progress.phase_criteria(participant))["Days without use in a row"]
    assert criterion.met is met
    assert criterion.detail.startswith(f"{used_days_ago} of 14")


def test_without_any_use_recorded_days_without_use_count_from_entry(world, court):
    """The day of entry is day 1."""
    participant = enrol(world, court, entered_days_ago=13)
    criterion = by_label(progress.phase_criteria(participant))["Days without use in a row"]
    assert (criterion.met, criterion.detail) == (True, "14 of 14 days")
    assert progress.days_without_use(participant, today() - timedelta(days=1)) == 13


@pytest.mark.parametrize("went, met", [(7, False), (8, True)])
def test_meetings_a_week_over_the_last_four_weeks(world, court, went, met):
    participant = enrol(world, court)
    meetings(world, went)
    criterion = by_label(progress.phase_criteria(participant))["Mutual-help meetings"]
    assert criterion.met is met
    assert criterion.detail == f"{went} of 8 in the last 28 days"


def test_a_missed_test_in_the_phase_is_a_criterion_not_met(world, court):
    participant = enrol(world, court)
    record_screen(
        world,
        collected_on=days_ago(3),
        status="missed",
        specimen="",
        observed=False,
        method="",
        panel="",
        results={},
    )
    criterion = by_label(progress.phase_criteria(participant))[
        "No missed or refused tests in this phase"
    ]
    assert (criterion.met, criterion.detail) == (False, "1 missed or refused")


def test_what_the_record_does_not_hold_is_for_the_team_to_confirm(world, court):
    phase = court.phases.get(number=1)
    phase.work_or_school = True
    phase.fees_paid = True
    phase.save()
    participant = enrol(world, court)
    criteria = by_label(progress.phase_criteria(participant))
    assert criteria["Working or in school"].met is None
    assert criteria["Fees paid up"].met is None


def ready(world, court):
    """A participant whose record meets phase 1: 40 days in, no use, 8 meetings."""
    participant = enrol(world, court)
    meetings(world, 8)
    return participant


def test_meeting_the_criteria_moves_up_at_a_hearing(world, court):
    participant = ready(world, court)
    hearing = hearing_on(world, court, today())
    change = services.phase_advance(
        participant=participant, hearing=hearing, by=world.alice, version=participant.version
    )
    participant.refresh_from_db()
    assert (participant.phase.number, participant.phase_started_on) == (2, today())
    assert (change.criteria_met, change.override_reason, change.hearing) == (True, "", hearing)
    assert AuditEvent.objects.filter(
        object_type="court_participant", action="update", changes__phase=[1, 2]
    ).exists()


def test_moving_up_without_the_criteria_needs_the_teams_reason(world, court):
    participant = enrol(world, court, entered_days_ago=10)
    hearing = hearing_on(world, court, today())
    with pytest.raises(ValidationError) as refused:
        services.phase_advance(
            participant=participant, hearing=hearing, by=world.alice, version=participant.version
        )
    message = refused.value.message_dict["override_reason"][0]
    assert "Days in this phase" in message and "Mutual-help meetings" in message
    assert not PhaseChange.objects.exists()
    participant.refresh_from_db()
    assert participant.phase.number == 1
    change = services.phase_advance(
        participant=participant,
        hearing=hearing,
        by=world.alice,
        version=participant.version,
        override_reason="Judge moved her up for steady work and housing.",
    )
    assert change.criteria_met is False
    assert change.override_reason.startswith("Judge moved her up")


def test_criteria_the_team_has_not_confirmed_also_need_a_reason(world, court):
    phase = court.phases.get(number=1)
    phase.work_or_school = True
    phase.save()
    participant = ready(world, court)
    hearing = hearing_on(world, court, today())
    with pytest.raises(ValidationError, match="Working or in school \\(not confirmed\\)"):
        services.phase_advance(
            participant=participant, hearing=hearing, by=world.alice, version=participant.version
        )
    change = services.phase_advance(
        participant=participant,
        hearing=hearing,
        by=world.alice,
        version=participant.version,
        team_confirmed=True,
    )
    assert change.criteria_met is True


def test_a_phase_is_decided_at_a_hearing_held_today_or_before(world, court):
    participant = ready(world, court)
    later = hearing_on(world, court, today() + timedelta(days=7))
    with pytest.raises(ValidationError, match="held today or before"):
        services.phase_advance(
            participant=participant, hearing=later, by=world.alice, version=participant.version
        )
    other_court = CourtProgram.objects.create(
        organisation=world.org, program=world.program, name="DUI Court", court_name="Dept 3"
    )
    elsewhere = hearing_on(world, other_court, today())
    with pytest.raises(ValidationError, match="participant's court"):
        services.phase_advance(
            participant=participant, hearing=elsewhere, by=world.alice, version=participant.version
        )


def test_the_last_phase_leads_to_graduation_not_another_phase(world, court):
    participant = ready(world, court)
    participant.phase = court.phases.get(number=2)
    participant.save()
    with pytest.raises(ValidationError, match="last phase"):
        services.phase_advance(
            participant=participant,
            hearing=hearing_on(world, court, today()),
            by=world.alice,
            version=participant.version,
            override_reason="x",
        )


def test_two_people_deciding_at_once_do_not_both_move_the_participant(world, court):
    participant = ready(world, court)
    hearing = hearing_on(world, court, today())
    seen_by_sue = Participant.objects.get(pk=participant.pk)  # the page she opened before
    services.phase_advance(
        participant=participant, hearing=hearing, by=world.alice, version=participant.version
    )
    with pytest.raises(VersionConflict):
        services.phase_advance(
            participant=seen_by_sue,
            hearing=hearing,
            by=world.sue,
            version=seen_by_sue.version,
            override_reason="again",
        )
    assert PhaseChange.objects.count() == 1


def test_a_new_hearing_is_today_or_later(world, court):
    with pytest.raises(ValidationError) as refused:
        services.hearing_schedule(court_program=court, held_on=days_ago(1), by=world.alice)
    assert refused.value.message_dict["held_on"] == ["A new hearing is today or later."]
    hearing = services.hearing_schedule(court_program=court, held_on=today(), by=world.alice)
    assert hearing.held_on == today()
    for outsider in (world.charlie, world.otto, world.cody):  # other agency, program, role
        with pytest.raises(ValidationError, match="program serving the court"):
            services.hearing_schedule(court_program=court, held_on=today(), by=outsider)
    assert Hearing.objects.count() == 1


def test_the_days_draw_is_kept_as_first_drawn(world, court):
    phase = court.phases.get(number=1)
    for colour in ("Blue", "Red", "Green"):
        ColourGroup.objects.create(court_program=court, phase=phase, colour=colour)
    monday = today() - timedelta(days=today().weekday())
    draws = [services.draw_day(court, monday + timedelta(days=n)) for n in range(7)]
    for colour in ("Blue", "Red", "Green"):
        assert sum(colour in d.colours for d in draws) == 3  # phase 1 asks three a week
    assert "test today" in draws[0].message
    court.draw_seed = "changed afterwards"
    court.save()
    again = services.draw_day(court, monday)
    assert (again.pk, again.colours) == (draws[0].pk, draws[0].colours)
    assert DailyDraw.objects.filter(court_program=court).count() == 7

"""Synthetic treatment-court records for `generate`: one drug court run with the agency's first
program, five phases, a colour group per phase, a status hearing every other week over the last
six months and the next two, the daily draws of the last thirty days, and about one in ten of
the program's clients in care taking part, each in a phase that fits how long they have been in
the court, with the decisions that moved them there."""

import random
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from itertools import pairwise
from typing import Protocol

from django.utils import timezone

from casebridge.accounts.models import Organisation, Program
from casebridge.court.draw import is_test_day
from casebridge.court.models import (
    ChargeCategory,
    CourtProgram,
    DailyDraw,
    Hearing,
    Participant,
    Phase,
    PhaseChange,
    TestingGroup,
    Track,
)

COURT_NAME = "Adult Drug Court"
# (name, days at least, days without use, tests a week, hearing every, meetings a week, colour)
PHASES = (
    ("Orientation", 30, 14, 3, 7, 2, "Red"),
    ("Stabilisation", 60, 30, 3, 14, 3, "Orange"),
    ("Treatment", 90, 60, 2, 14, 3, "Blue"),
    ("Maintenance", 90, 90, 1, 28, 2, "Green"),
    ("Transition", 60, 120, 1, 28, 2, "Purple"),
)
COURT_SHARE = 0.1
DRAW_DAYS = 30


class InCourt(Protocol):
    @property
    def pk(self) -> int: ...
    @property
    def registered_at(self) -> datetime: ...
    @property
    def program_id(self) -> int: ...
    @property
    def stage(self) -> str: ...


def court_setup(organisation: Organisation, program: Program) -> CourtProgram:
    court, created = CourtProgram.objects.get_or_create(
        organisation=organisation,
        name=COURT_NAME,
        defaults={"program": program, "court_name": "Superior Court, Department 12"},
    )
    if created:
        for number, (name, days, clean, tests, every, meetings, colour) in enumerate(PHASES, 1):
            phase = Phase.objects.create(
                court_program=court,
                number=number,
                name=name,
                min_days=days,
                days_without_use=clean,
                tests_per_week=tests,
                hearing_every_days=every,
                meetings_per_week=meetings,
                work_or_school=number >= 3,
                fees_paid=number == 5,
            )
            TestingGroup.objects.create(court_program=court, phase=phase, colour=colour)
    return court


def court_generate(
    *,
    organisation: Organisation,
    program: Program,
    clients: Iterable[InCourt],
    rng: random.Random,
    now: datetime,
    judge_id: int,
) -> int:
    """The court's calendar, draws and participants. Returns how many participants."""
    court = court_setup(organisation, program)
    today = timezone.localdate(now)
    phases = list(court.phases.order_by("number"))
    groups = {group.phase_id: group for group in court.testing_groups.select_related("phase")}
    first_hearing = today - timedelta(days=182)
    hearings = list(court.hearings.order_by("held_on"))
    if not hearings:
        hearings = Hearing.objects.bulk_create(
            [
                Hearing(
                    court_program=court,
                    held_on=first_hearing + timedelta(days=14 * n),
                    courtroom="12",
                    created_by_id=judge_id,
                )
                for n in range(18)
            ]
        )
    past = [h for h in hearings if h.held_on <= today]
    kept = set(DailyDraw.objects.filter(court_program=court).values_list("day", flat=True))
    DailyDraw.objects.bulk_create(
        [
            _draw(court, today - timedelta(days=n), groups.values())
            for n in range(DRAW_DAYS)
            if today - timedelta(days=n) not in kept
        ]
    )
    candidates = [
        c
        for c in clients
        if c.program_id == program.pk and c.stage in {"implementation", "monitoring", "review"}
    ]
    taking_part = [c for c in candidates if rng.random() < COURT_SHARE] or candidates[:1]
    participants: list[Participant] = []
    moves: list[tuple[int, list[Phase], date]] = []
    for index, client in enumerate(taking_part):
        entered = max(first_hearing, timezone.localdate(client.registered_at))
        days_in = (today - entered).days
        # Past the first phase when its days are up; further as far as the phases' least days
        # allow, and often a phase behind that.
        reached, elapsed = 0, 0
        for position, phase in enumerate(phases[:-1]):
            if elapsed + phase.min_days <= days_in and (position == 0 or rng.random() < 0.7):
                elapsed += phase.min_days
                reached = position + 1
            else:
                break
        phase = phases[reached]
        started = entered + timedelta(days=elapsed)
        participants.append(
            Participant(
                client_id=client.pk,
                court_program=court,
                docket_number=f"CR-{entered.year}-{client.pk:06d}",
                charge_category=rng.choice(list(ChargeCategory)),
                track=rng.choice(list(Track)),
                entered_on=entered,
                expected_graduation_on=entered + timedelta(days=sum(p.min_days for p in phases)),
                phase=phase,
                phase_started_on=started,
                testing_group=groups.get(phase.pk),
            )
        )
        moves.append((index, phases[: reached + 1], entered))
    Participant.objects.bulk_create(participants)
    changes = []
    for index, path, entered in moves:
        participant = participants[index]
        day = entered
        for before, after in pairwise(path):
            day += timedelta(days=before.min_days)
            hearing = next((h for h in past if h.held_on >= day), past[-1] if past else None)
            if hearing is None:
                continue
            changes.append(
                PhaseChange(
                    participant=participant,
                    from_phase=before,
                    to_phase=after,
                    hearing=hearing,
                    criteria_met=rng.random() < 0.9,
                    override_reason="",
                    decided_by_id=judge_id,
                )
            )
    for change in changes:
        if not change.criteria_met:
            change.override_reason = "The team moved them up for steady work and meetings."
    PhaseChange.objects.bulk_create(changes)
    return len(participants)


def _draw(court: CourtProgram, day: date, groups: Iterable[TestingGroup]) -> DailyDraw:
    colours = sorted(
        group.colour
        for group in groups
        if is_test_day(court.draw_seed, group.colour, day, group.phase.tests_per_week)
    )
    said = ", ".join(colours) if colours else "no colour"
    return DailyDraw(
        court_program=court,
        day=day,
        colours=colours,
        message=f"{court.name}, {day:%A %B} {day.day}: {said} test today.",
    )

"""A treatment court's measures, as drug court standards ask for them: retention, graduation
rate, days without use at graduation, time in each phase, drug tests a participant takes a week
and how many were missed, and the balance of incentives to sanctions. Counts only, no names; a
handful of queries however many participants."""

import statistics
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Q

from casebridge.court.models import CourtProgram, Participant, ParticipantStatus, PhaseChange
from casebridge.court.progress import Ratio, court_ratio
from casebridge.monitoring.models.recovery import DrugScreen, ScreenStatus

TESTS_WINDOW_DAYS = 28


@dataclass(frozen=True)
class PhaseRow:
    number: int
    name: str
    now: int  # participants in the phase today
    finished: int  # stays in the phase that ended by moving up (or graduating from the last)
    median_days: float | None  # days those stays took


@dataclass(frozen=True)
class CourtMeasures:
    admitted: int
    active: int
    graduated: int
    terminated: int
    withdrawn: int
    median_clean_at_graduation: float | None
    phases: list[PhaseRow]
    tests: int  # in the last TESTS_WINDOW_DAYS days, by participants taking part now
    missed_tests: int  # of those, missed or refused
    ratio: Ratio

    @property
    def ended(self) -> int:
        return self.graduated + self.terminated + self.withdrawn

    @property
    def retention(self) -> float | None:
        """Those still taking part or graduated, of all who entered."""
        return (self.active + self.graduated) / self.admitted if self.admitted else None

    @property
    def graduation_rate(self) -> float | None:
        """Those who graduated, of all whose participation has ended."""
        return self.graduated / self.ended if self.ended else None

    @property
    def tests_per_week(self) -> float | None:
        if not self.active:
            return None
        return round(self.tests / self.active / (TESTS_WINDOW_DAYS / 7), 1)


def court_measures(court: CourtProgram, today: date) -> CourtMeasures:
    participants = list(
        Participant.objects.filter(court_program=court).values(
            "pk", "status", "entered_on", "phase_id", "ended_on", "days_without_use_at_end"
        )
    )
    by_status = {status: 0 for status in ParticipantStatus.values}
    for row in participants:
        by_status[row["status"]] += 1
    clean_at_graduation = [
        row["days_without_use_at_end"]
        for row in participants
        if row["status"] == ParticipantStatus.GRADUATED
        and row["days_without_use_at_end"] is not None
    ]
    phases = list(court.phases.order_by("number"))
    stays: dict[int, list[int]] = {phase.pk: [] for phase in phases}
    started = {row["pk"]: row["entered_on"] for row in participants}
    for participant_id, from_phase, held_on in (
        PhaseChange.objects.filter(participant__court_program=court)
        .order_by("participant_id", "decided_at", "id")
        .values_list("participant_id", "from_phase_id", "hearing__held_on")
    ):
        begun = started.get(participant_id)
        if begun is not None and from_phase in stays:
            stays[from_phase].append(max(0, (held_on - begun).days))
        started[participant_id] = held_on
    last = phases[-1].pk if phases else None
    for row in participants:
        if row["status"] == ParticipantStatus.GRADUATED and row["ended_on"] and last in stays:
            stays[last].append(max(0, (row["ended_on"] - started[row["pk"]]).days))
    now = {phase.pk: 0 for phase in phases}
    for row in participants:
        if row["status"] == ParticipantStatus.ACTIVE and row["phase_id"] in now:
            now[row["phase_id"]] += 1
    tests = DrugScreen.objects.filter(
        client_id__in=Participant.objects.filter(
            court_program=court, status=ParticipantStatus.ACTIVE
        ).values("client_id"),
        collected_on__gt=today - timedelta(days=TESTS_WINDOW_DAYS),
        collected_on__lte=today,
    ).aggregate(
        all=Count("pk"),
        missed=Count("pk", filter=Q(status__in=[ScreenStatus.MISSED, ScreenStatus.REFUSED])),
    )
    return CourtMeasures(
        admitted=len(participants),
        active=by_status[ParticipantStatus.ACTIVE],
        graduated=by_status[ParticipantStatus.GRADUATED],
        terminated=by_status[ParticipantStatus.TERMINATED],
        withdrawn=by_status[ParticipantStatus.WITHDRAWN],
        median_clean_at_graduation=(
            statistics.median(clean_at_graduation) if clean_at_graduation else None
        ),
        phases=[
            PhaseRow(
                number=phase.number,
                name=phase.name,
                now=now[phase.pk],
                finished=len(stays[phase.pk]),
                median_days=statistics.median(stays[phase.pk]) if stays[phase.pk] else None,
            )
            for phase in phases
        ],
        tests=tests["all"],
        missed_tests=tests["missed"],
        ratio=court_ratio(court.pk),
    )

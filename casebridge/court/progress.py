"""What the record says of a participant's progress in the court: days without use, a phase's
criteria against the record, the next phase, and the incentive-to-sanction ratio.

The record's facts are read for many participants at once (`record_facts`: a few queries
however many), so a hearing's staffing report of sixty costs what one participant's does."""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Q
from django.utils import timezone

from casebridge.court.models import (
    Behaviour,
    CourtResponse,
    Obligation,
    ObligationKind,
    Participant,
    Phase,
    ResponseKind,
    ScheduledResponse,
)
from casebridge.monitoring.models.recovery import DrugScreen, MeetingAttendance, ScreenStatus
from casebridge.monitoring.recovery import sobriety_dates

MEETINGS_WINDOW_DAYS = 28  # meetings a week are judged over the last four weeks
SKIPPED = (ScreenStatus.MISSED, ScreenStatus.REFUSED)


@dataclass(frozen=True)
class Criterion:
    """One thing a phase asks before moving up. `met` is None for what the record does not
    hold (work, fees, community service, treatment hours): the team confirms it at the hearing."""

    label: str
    met: bool | None
    detail: str


@dataclass(frozen=True)
class RecordFacts:
    """What the recovery record holds that a phase's criteria ask about, for one participant."""

    last_use_on: date | None  # None: nothing recorded shows use
    skipped_in_phase: int  # tests missed or refused since the phase began
    meeting_days: tuple[date, ...]  # meetings of the last MEETINGS_WINDOW_DAYS days


def record_facts(participants: Sequence[Participant], today: date) -> dict[int, RecordFacts]:
    """Each participant's facts, by participant id (five queries however many)."""
    if not participants:
        return {}
    client_ids = sorted({p.client_id for p in participants})
    sobriety = sobriety_dates(client_ids)
    earliest = min(p.phase_started_on for p in participants)
    skipped: dict[int, list[date]] = {}
    for client_id, day in DrugScreen.objects.filter(
        client_id__in=client_ids,
        collected_on__gte=earliest,
        collected_on__lte=today,
        status__in=SKIPPED,
    ).values_list("client_id", "collected_on"):
        skipped.setdefault(client_id, []).append(day)
    for client_id, day in Obligation.objects.filter(
        client_id__in=client_ids,
        kind=ObligationKind.TEST,
        kept=False,
        day__gte=earliest,
        day__lte=today,
    ).values_list("client_id", "day"):
        skipped.setdefault(client_id, []).append(day)  # a drawn day with no test at all
    meetings: dict[int, list[date]] = {}
    for client_id, day in MeetingAttendance.objects.filter(
        client_id__in=client_ids,
        attended_on__gt=today - timedelta(days=MEETINGS_WINDOW_DAYS),
        attended_on__lte=today,
    ).values_list("client_id", "attended_on"):
        meetings.setdefault(client_id, []).append(day)
    facts = {}
    for p in participants:
        found = sobriety.get(p.client_id)
        facts[p.pk] = RecordFacts(
            last_use_on=found.last_use_on if found else None,
            skipped_in_phase=len(
                {day for day in skipped.get(p.client_id, ()) if day >= p.phase_started_on}
            ),
            meeting_days=tuple(meetings.get(p.client_id, ())),
        )
    return facts


def _facts(participant: Participant, today: date, facts: RecordFacts | None) -> RecordFacts:
    return facts if facts is not None else record_facts([participant], today)[participant.pk]


def days_without_use(
    participant: Participant, today: date, facts: RecordFacts | None = None
) -> int:
    """Days in a row without use: since the sobriety date the recovery record shows, or since
    entering the court when nothing recorded shows use."""
    if facts is None:
        found = sobriety_dates([participant.client_id]).get(participant.client_id)
        last_use = found.last_use_on if found else None
    else:
        last_use = facts.last_use_on
    if last_use is None:
        last_use = participant.entered_on - timedelta(days=1)
    return max(0, (today - last_use).days)


def phase_criteria(
    participant: Participant, today: date | None = None, facts: RecordFacts | None = None
) -> list[Criterion]:
    """The current phase's criteria for moving up (or graduating from the last phase), each
    against the record."""
    today = today or timezone.localdate()
    facts = _facts(participant, today, facts)
    phase: Phase = participant.phase
    in_phase = (today - participant.phase_started_on).days
    criteria = [
        Criterion(
            "Days in this phase",
            in_phase >= phase.min_days,
            f"{in_phase} of {phase.min_days} days",
        )
    ]
    if phase.days_without_use:
        clean = days_without_use(participant, today, facts)
        criteria.append(
            Criterion(
                "Days without use in a row",
                clean >= phase.days_without_use,
                f"{clean} of {phase.days_without_use} days",
            )
        )
    if phase.tests_per_week:
        skipped = facts.skipped_in_phase
        criteria.append(
            Criterion(
                "No missed or refused tests in this phase",
                skipped == 0,
                "none" if skipped == 0 else f"{skipped} missed or refused",
            )
        )
    if phase.meetings_per_week:
        window = max(1, min(MEETINGS_WINDOW_DAYS, in_phase + 1))
        wanted = math.ceil(phase.meetings_per_week * window / 7)
        since = today - timedelta(days=window)
        went = sum(1 for day in facts.meeting_days if day > since)
        criteria.append(
            Criterion(
                "Mutual-help meetings",
                went >= wanted,
                f"{went} of {wanted} in the last {window} days",
            )
        )
    confirmed = [
        (
            phase.treatment_hours_per_week,
            f"{phase.treatment_hours_per_week} treatment hours a week",
        ),
        (phase.work_or_school, "Working or in school"),
        (phase.community_service_hours, f"{phase.community_service_hours} community service hours"),
        (phase.fees_paid, "Fees paid up"),
    ]
    criteria += [Criterion(label, None, "the team confirms") for asked, label in confirmed if asked]
    return criteria


def unmet(criteria: Iterable[Criterion], *, team_confirmed: bool) -> list[str]:
    """What stands between the record and the criteria, in words; empty when they are met."""
    missing = []
    for criterion in criteria:
        if criterion.met is False:
            missing.append(criterion.label)
        elif criterion.met is None and not team_confirmed:
            missing.append(f"{criterion.label} (not confirmed)")
    return missing


def proposed(criteria: Iterable[Criterion]) -> bool:
    """The record meets every criterion it can tell: the app proposes moving up (or graduating),
    for the team to decide with what it confirms itself."""
    return all(c.met is not False for c in criteria)


def next_phase(participant: Participant) -> Phase | None:
    return (
        Phase.objects.filter(
            court_program_id=participant.court_program_id, number__gt=participant.phase.number
        )
        .order_by("number")
        .first()
    )


# Incentives and sanctions


@dataclass(frozen=True)
class Ratio:
    incentives: int
    sanctions: int

    def __str__(self) -> str:
        if not self.sanctions:
            if not self.incentives:
                return "none given yet"
            return f"{self.incentives} incentive{'s' if self.incentives != 1 else ''}, no sanctions"
        return f"{self.incentives / self.sanctions:.1f} to 1".replace(".0 to", " to")

    @property
    def below_guidance(self) -> bool:
        """Fewer than four incentives for each sanction, the balance best practice favours."""
        return self.sanctions > 0 and self.incentives < 4 * self.sanctions


def ratios(participant_ids: Iterable[int]) -> dict[int, Ratio]:
    """Each participant's incentives and sanctions so far (one query)."""
    rows = (
        CourtResponse.objects.filter(participant_id__in=list(participant_ids))
        .values("participant_id")
        .annotate(
            incentives=Count("pk", filter=Q(kind=ResponseKind.INCENTIVE)),
            sanctions=Count("pk", filter=Q(kind=ResponseKind.SANCTION)),
        )
        .order_by()
    )
    return {row["participant_id"]: Ratio(row["incentives"], row["sanctions"]) for row in rows}


def court_ratio(court_program_id: int) -> Ratio:
    counts = CourtResponse.objects.filter(participant__court_program_id=court_program_id).aggregate(
        incentives=Count("pk", filter=Q(kind=ResponseKind.INCENTIVE)),
        sanctions=Count("pk", filter=Q(kind=ResponseKind.SANCTION)),
    )
    return Ratio(counts["incentives"], counts["sanctions"])


def _step_for(
    steps: Iterable[ScheduledResponse], phase_number: int, given: int
) -> ScheduledResponse | None:
    by_step: dict[int, ScheduledResponse] = {}
    for row in sorted(steps, key=lambda r: (r.step, -r.from_phase)):
        if row.from_phase <= phase_number:
            by_step.setdefault(row.step, row)
    if not by_step:
        return None
    reached = [step for step in by_step if step <= given + 1]
    return by_step[max(reached)] if reached else by_step[min(by_step)]


def response_proposals(
    participant: Participant,
) -> list[tuple[Behaviour, ScheduledResponse | None]]:
    """For each of the court's behaviours, what its schedule gives this participant now: the
    step after those already given in this phase (the last step repeats), as the participant's
    phase has it (three queries)."""
    behaviours = list(
        Behaviour.objects.filter(court_program_id=participant.court_program_id).prefetch_related(
            "steps"
        )
    )
    given = dict(
        CourtResponse.objects.filter(
            participant=participant, hearing__held_on__gte=participant.phase_started_on
        )
        .values("behaviour_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("behaviour_id", "n")
    )
    number = participant.phase.number
    return [(b, _step_for(b.steps.all(), number, given.get(b.pk, 0))) for b in behaviours]


def response_proposal(participant: Participant, behaviour: Behaviour) -> ScheduledResponse | None:
    """What the schedule gives this participant now for one behaviour."""
    given = CourtResponse.objects.filter(
        participant=participant,
        behaviour=behaviour,
        hearing__held_on__gte=participant.phase_started_on,
    ).count()
    return _step_for(behaviour.steps.all(), participant.phase.number, given)

"""Continuity of care, for supervisors: how soon clients are admitted at the next level, how long
they stay at each level, how many stays end well, how many come back after care ended, and how
many follow-ups reach the client. Counted in the database over the clients the person may read
clinical content of (emergency access aside), for the period chosen.

The definitions, precisely (today is the program's local date; "in the period" means on or after
the period's first day and on or before today):

- Admitted at the next level within N days (N = 7, 14, 30): among the transitions that are not
  cancelled, whose client left the level in the period, and whose N days have passed
  (left_on <= today - N), the share whose next episode was admitted no later than N days after
  leaving (to_episode.admitted_on - left_on <= N). A transition still waiting after N days
  counts against the share.
- Median days at a level: over the episodes discharged in the period, per level of care, the
  median of discharged_on - admitted_on (in days; with an even count, the mean of the middle two).
- Retention at a level: among the same episodes, the share whose discharge type is "completed"
  or "transferred".
- Readmission within N days (N = 30, 90): an index stay is an episode discharged in the period
  whose discharge ended care: no transition out of it other than a cancelled one (a move still
  waiting for its admission has not ended care), and the client did not die. Among index stays
  whose N days have passed (discharged_on <= today - N), the share for which the client has
  another episode admitted on or after the day of discharge and no more than N
  days after it (at any level, anywhere).
- Follow-up reach: among the follow-ups due in the period (due_on in the period; those closed
  because the client was back in care before they were due are left out), the share with at
  least one attempt whose result is "reached".
"""

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core.cache import cache
from django.db.models import (
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.utils import timezone

from casebridge.access.policy import Action, Someone, client_filter
from casebridge.accounts.models import User
from casebridge.clients.models import Client
from casebridge.followups.models import AttemptResult, FollowUp, FollowUpAttempt, FollowUpStatus
from casebridge.transitions.levels import ORDER, LevelOfCare
from casebridge.transitions.models import DischargeType, Episode, Transition, TransitionStatus

# Periods a supervisor looks back over, in days (None: since the start).
PERIODS: dict[str, tuple[str, int | None]] = {
    "90": ("The last 90 days", 90),
    "365": ("The last 12 months", 365),
    "all": ("Since the start", None),
}
HANDOFF_DAYS = (7, 14, 30)
READMISSION_DAYS = (30, 90)
RETAINED = (DischargeType.COMPLETED, DischargeType.TRANSFERRED)


@dataclass(frozen=True)
class Share:
    """`part` of `whole`, with the percentage (None when there is nothing to count)."""

    part: int
    whole: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.part / self.whole) if self.whole else None


@dataclass(frozen=True)
class LevelRow:
    level: str
    label: str
    discharged: int
    median_days: float | None
    retention: Share


@dataclass
class ContinuityMeasures:
    handoff: dict[int, Share] = field(default_factory=dict)
    levels: list[LevelRow] = field(default_factory=list)
    readmission: dict[int, Share] = field(default_factory=dict)
    reach: Share = Share(0, 0)


def _days_between(later: str, earlier: str) -> ExpressionWrapper:
    # A date minus a date as a duration: Django writes it for each database (SQLite counts
    # microseconds, PostgreSQL multiplies an interval of a day), so comparing it with a
    # timedelta is the same on both.
    return ExpressionWrapper(F(later) - F(earlier), output_field=DurationField())


def _in_period(field_name: str, since: date | None, today: date) -> Q:
    found = Q(**{f"{field_name}__lte": today})
    if since is not None:
        found &= Q(**{f"{field_name}__gte": since})
    return found


def period_start(period: str, today: date) -> date | None:
    days = PERIODS.get(period, PERIODS["90"])[1]
    return None if days is None else today - timedelta(days=days)


def continuity_measures(user: Someone, *, period: str, today: date) -> ContinuityMeasures:
    """Every measure over the clients `user` may read clinical content of: a handful of queries
    (one more per level of care with discharges, for its median)."""
    since = period_start(period, today)
    clients = Client.objects.filter(
        client_filter(user, Action.READ_CLINICAL, include_emergency=False)
    ).values("pk")
    return ContinuityMeasures(
        handoff=_handoff(clients, since, today),
        levels=_levels(clients, since, today),
        readmission=_readmission(clients, since, today),
        reach=_reach(clients, since, today),
    )


MEASURES_KEPT_SECONDS = 600


def kept_continuity_measures(
    user: User, *, period: str, today: date
) -> tuple[ContinuityMeasures, datetime]:
    """The measures and when they were worked out: kept for up to MEASURES_KEPT_SECONDS in
    the cache (shared between instances when it is Redis: counts, shares and medians only, no
    client), filed under the person, their role and programs, the period and the day, so a
    change of programs or a new day works them out again. Since the start, over 100,000
    clients, they take about a second to work out; looking again costs nothing."""
    programs = sorted(user.programs.values_list("pk", flat=True))
    changed = user.access_changed_at.isoformat() if user.access_changed_at else ""
    scope = f"{user.pk}:{user.role}:{user.organisation_id}:{changed}:{programs}:{period}:{today}"
    key = "continuity-measures:" + hashlib.sha256(scope.encode()).hexdigest()
    kept = cache.get(key)
    if kept is None:
        kept = (continuity_measures(user, period=period, today=today), timezone.now())
        cache.set(key, kept, MEASURES_KEPT_SECONDS)
    return kept


def _handoff(clients: QuerySet, since: date | None, today: date) -> dict[int, Share]:
    transitions = (
        Transition.objects.filter(client__in=clients)
        .filter(_in_period("left_on", since, today))
        .exclude(status=TransitionStatus.CANCELLED)
        .alias(gap=_days_between("to_episode__admitted_on", "left_on"))
    )
    counts: dict[str, Count] = {}
    for days in HANDOFF_DAYS:
        closed = Q(left_on__lte=today - timedelta(days=days))
        counts[f"whole_{days}"] = Count("pk", filter=closed)
        counts[f"part_{days}"] = Count(
            "pk",
            filter=closed & Q(status=TransitionStatus.ADMITTED, gap__lte=timedelta(days=days)),
        )
    row = transitions.aggregate(**counts)
    return {days: Share(row[f"part_{days}"], row[f"whole_{days}"]) for days in HANDOFF_DAYS}


def _discharged(clients: QuerySet, since: date | None, today: date) -> QuerySet:
    return Episode.objects.filter(client__in=clients, discharged_on__isnull=False).filter(
        _in_period("discharged_on", since, today)
    )


def median_days(episodes: QuerySet, count: int) -> float | None:
    """The median stay of `count` episodes, read from the database in order: only the middle
    one or two rows come back (OFFSET and LIMIT, the same on SQLite and PostgreSQL)."""
    if not count:
        return None
    low, high = (count - 1) // 2, count // 2
    middle = list(
        episodes.annotate(stay=_days_between("discharged_on", "admitted_on"))
        .order_by("stay", "pk")
        .values_list("stay", flat=True)[low : high + 1]
    )
    return sum(stay.days for stay in middle) / len(middle)


def _levels(clients: QuerySet, since: date | None, today: date) -> list[LevelRow]:
    episodes = _discharged(clients, since, today)
    counts = {
        row["level"]: row
        for row in episodes.values("level")
        .annotate(n=Count("pk"), retained=Count("pk", filter=Q(discharge_type__in=RETAINED)))
        .order_by()
    }
    labels = dict(LevelOfCare.choices)
    rows = []
    for level in ORDER:
        found = counts.get(level)
        if found is None:
            continue
        rows.append(
            LevelRow(
                level=level,
                label=str(labels[level]),
                discharged=found["n"],
                median_days=median_days(episodes.filter(level=level), found["n"]),
                retention=Share(found["retained"], found["n"]),
            )
        )
    return rows


def _readmission(clients: QuerySet, since: date | None, today: date) -> dict[int, Share]:
    next_admission = (
        Episode.objects.filter(
            client_id=OuterRef("client_id"), admitted_on__gte=OuterRef("discharged_on")
        )
        .exclude(pk=OuterRef("pk"))
        .order_by("admitted_on", "pk")
        .values("admitted_on")[:1]
    )
    index_stays = (
        _discharged(clients, since, today)
        .exclude(
            Exists(
                # A stay the client left for another level (admitted there, or still on the
                # way) did not end care; only a cancelled move leaves them out of care.
                Transition.objects.filter(from_episode=OuterRef("pk")).exclude(
                    status=TransitionStatus.CANCELLED
                )
            )
        )
        .exclude(discharge_type=DischargeType.DIED)
        .alias(next_in=Subquery(next_admission))
        .alias(gap=_days_between("next_in", "discharged_on"))
    )
    counts: dict[str, Count] = {}
    for days in READMISSION_DAYS:
        closed = Q(discharged_on__lte=today - timedelta(days=days))
        counts[f"whole_{days}"] = Count("pk", filter=closed)
        counts[f"part_{days}"] = Count("pk", filter=closed & Q(gap__lte=timedelta(days=days)))
    row = index_stays.aggregate(**counts)
    return {days: Share(row[f"part_{days}"], row[f"whole_{days}"]) for days in READMISSION_DAYS}


def _reach(clients: QuerySet, since: date | None, today: date) -> Share:
    due = (
        FollowUp.objects.filter(client__in=clients)
        .filter(_in_period("due_on", since, today))
        .exclude(status=FollowUpStatus.BACK_IN_CARE)
        .alias(
            reached=Exists(
                FollowUpAttempt.objects.filter(
                    follow_up=OuterRef("pk"), result=AttemptResult.REACHED
                )
            )
        )
    )
    row = due.aggregate(whole=Count("pk"), part=Count("pk", filter=Q(reached=True)))
    return Share(row["part"], row["whole"])

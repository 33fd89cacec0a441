"""Recovery: the sobriety date, worked out from what is recorded (never typed), and the mutual-help
and recovery meetings attended, read for the Recovery tab.

The sobriety date is the day after the latest evidence of use: a drug screen positive for a
substance the client does not take on prescription, unless the lab's confirmation said
negative, or a check-in where the client reported use since the last one. A positive for a
prescribed medication (buprenorphine, methadone ...) is never evidence of use.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Max, Q
from django.utils import timezone

from casebridge.clients.models import Client
from casebridge.monitoring.models import CheckIn
from casebridge.monitoring.models.recovery import (
    Confirmation,
    MeetingAttendance,
    ScreenResult,
    SubstanceResult,
    Verification,
)

MEETINGS_WINDOW_DAYS = 30  # "meetings in the last 30 days" on the Recovery tab


# The sobriety date


@dataclass(frozen=True)
class Sobriety:
    """The latest known use and what showed it ("drug screen" or "check-in")."""

    last_use_on: date
    evidence: str

    @property
    def since(self) -> date:
        """The sobriety date: the first day after the last known use."""
        return self.last_use_on + timedelta(days=1)

    def days(self, today: date) -> int:
        """Whole days since the last known use: 1 on the sobriety date itself."""
        return max(0, (today - self.last_use_on).days)


def sobriety_dates(client_ids: list[int], *, with_check_ins: bool = True) -> dict[int, Sobriety]:
    """The sobriety date of each of these clients that has any evidence of use (two queries,
    however many clients: for the caseload and the client header). Clients with none are
    left out: nothing recorded here shows use, which is not the same as a known date.

    `with_check_ins=False` for a viewer who may not read check-ins (an intake coordinator): the
    date would otherwise tell them what a check-in said."""
    screens = (
        ScreenResult.objects.filter(
            screen__client_id__in=client_ids, expected=False, result=SubstanceResult.POSITIVE
        )
        .exclude(confirmation=Confirmation.NEGATIVE)
        .values("screen__client_id")
        .annotate(last=Max("screen__collected_on"))
        .order_by()
    )
    found: dict[int, Sobriety] = {
        row["screen__client_id"]: Sobriety(row["last"], "drug screen") for row in screens
    }
    if not with_check_ins:
        return found
    check_ins = (
        CheckIn.objects.filter(client_id__in=client_ids, used_since_last=True)
        .values("client_id")
        .annotate(last=Max("checked_in_at"))
        .order_by()
    )
    for row in check_ins:
        day = timezone.localdate(row["last"])
        known = found.get(row["client_id"])
        if known is None or day > known.last_use_on:
            found[row["client_id"]] = Sobriety(day, "check-in")
    return found


def sobriety_for(client: Client, *, with_check_ins: bool = True) -> Sobriety | None:
    return sobriety_dates([client.pk], with_check_ins=with_check_ins).get(client.pk)


# Mutual-help and recovery meetings (recorded by services.meetings)


def meetings_for(client: Client, limit: int = 100) -> list[MeetingAttendance]:
    return list(client.meetings_attended.select_related("recorded_by")[:limit])


@dataclass(frozen=True)
class MeetingCount:
    total: int
    verified: int
    days: int


def meetings_lately(client: Client, days: int = MEETINGS_WINDOW_DAYS) -> MeetingCount:
    """How many meetings in the last `days` days, today included, and how many of them are
    verified rather than self-reported (one query)."""
    since = timezone.localdate() - timedelta(days=days - 1)
    counts = client.meetings_attended.filter(attended_on__gte=since).aggregate(
        total=Count("id"),
        verified=Count("id", filter=~Q(verification=Verification.SELF_REPORTED)),
    )
    return MeetingCount(total=counts["total"], verified=counts["verified"], days=days)

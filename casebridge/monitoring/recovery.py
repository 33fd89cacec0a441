"""Recovery: the sobriety date, worked out from what is recorded (never typed), and mutual-help
and recovery meetings attended.

The sobriety date is the day after the latest evidence of use: a drug screen positive for a
substance the client does not take on prescription, unless the lab's confirmation said
negative, or a check-in where the client reported use since the last one. A positive for a
prescribed medication (buprenorphine, methadone ...) is never evidence of use.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from casebridge.accounts.models import User
from casebridge.audit.services import audit_record
from casebridge.clients import services as client_services
from casebridge.clients.models import Client
from casebridge.inputs import EARLIEST_DATE, text_problem
from casebridge.monitoring.models import CheckIn
from casebridge.monitoring.models.recovery import (
    Confirmation,
    Fellowship,
    MeetingAttendance,
    RecoveryTimelineKind,
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


# Mutual-help and recovery meetings


def meeting_record(
    *,
    client: Client,
    by: User,
    attended_on: date,
    fellowship: str,
    verification: str,
    other_fellowship: str = "",
    meeting_name: str = "",
) -> MeetingAttendance:
    """A meeting the client went to, and how that is known (a signed sheet, an app, the coach,
    or the client's word)."""
    errors: dict[str, str] = {}
    if not isinstance(attended_on, date) or attended_on > timezone.localdate():
        errors["attended_on"] = "A meeting is recorded once it has happened. Check the date."
    elif attended_on < EARLIEST_DATE:
        errors["attended_on"] = "Check the year: give a date after 1900."
    if fellowship not in Fellowship.values:
        errors["fellowship"] = "Choose the kind of meeting."
    if verification not in Verification.values:
        errors["verification"] = (
            "Say how the meeting is known: a signed sheet, an app, the coach or the client's word."
        )
    other_fellowship = (other_fellowship or "").strip() if fellowship == Fellowship.OTHER else ""
    meeting_name = (meeting_name or "").strip()
    for field, value, limit in (
        ("other_fellowship", other_fellowship, 100),
        ("meeting_name", meeting_name, 200),
    ):
        problem = text_problem(value, max_length=limit)
        if problem:
            errors[field] = problem
    if fellowship == Fellowship.OTHER and not other_fellowship and "other_fellowship" not in errors:
        errors["other_fellowship"] = "Name the group, e.g. Recovery Dharma or a church group."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        meeting = MeetingAttendance(
            client=client,
            attended_on=attended_on,
            fellowship=fellowship,
            other_fellowship=other_fellowship,
            meeting_name=meeting_name,
            verification=verification,
            recorded_by=by,
        )
        meeting.full_clean()
        meeting.save()
        audit_record(
            actor=by,
            action="create",
            client_id=client.pk,
            object_type="meeting_attendance",
            object_id=meeting.pk,
            changes={
                "date": [None, attended_on.isoformat()],
                "kind of meeting": [None, fellowship],
                "which group": [None, other_fellowship],
                "meeting": [None, meeting_name],
                "how it is known": [None, verification],
            },
        )
        client_services.timeline_add(
            client=client,
            kind=RecoveryTimelineKind.MEETING,
            summary=(
                f"Meeting on {attended_on:%b} {attended_on.day}, {attended_on.year}: "
                f"{meeting.fellowship_name} ({meeting.get_verification_display().lower()})"
            ),
            actor=by,
        )
    return meeting


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

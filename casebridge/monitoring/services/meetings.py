"""Mutual-help and recovery meetings attended: recording one, with how it is known."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from casebridge.accounts.models import User
from casebridge.audit.services import audit_record
from casebridge.clients import services as client_services
from casebridge.clients.models import Client
from casebridge.inputs import EARLIEST_DATE, text_problem
from casebridge.monitoring.models.recovery import (
    Fellowship,
    MeetingAttendance,
    RecoveryTimelineKind,
    Verification,
)


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

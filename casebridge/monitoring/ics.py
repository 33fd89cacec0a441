"""A staff member's calendar feed: a secret address their phone's calendar app subscribes to,
in iCalendar (RFC 5545) written with the `icalendar` library.

A calendar app keeps what it fetches outside Casebridge, on a phone or a mail provider's
servers, so the feed carries the least that lets a person plan their day: the client's initials
and case number, and the appointment's kind and time. Never a name, a place, a provider, who
goes along or a note. A health appointment is "Appointment (health)" in the feed whoever owns
it: its kind alone can tell that someone is in treatment for substance use.

The secret is shown once; only its digest is kept (as for API tokens). Every fetch is on the
audit trail with the clients it showed; a fetch with a revoked secret is recorded as refused.
"""

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from icalendar import Calendar, Event

from casebridge.access.policy import may_have_caseload
from casebridge.access.refusals import refusal_record
from casebridge.accounts.models import User
from casebridge.audit.services import audit_record
from casebridge.monitoring.appointment_statuses import AppointmentStatus
from casebridge.monitoring.calendar import caseload_appointments
from casebridge.monitoring.models.appointments import HEALTH_LABEL, Appointment, CalendarFeed

FEED_PREFIX = "cbcal_"
PREFIX_LENGTH = 16
# What the feed holds: the last 30 days (so "did they go?" can be looked up) to 26 weeks ahead.
FEED_PAST = timedelta(days=30)
FEED_AHEAD = timedelta(weeks=26)
# Cancelled and rescheduled appointments leave the feed; calendar apps drop what is gone.
IN_FEED = [AppointmentStatus.SCHEDULED, AppointmentStatus.ATTENDED, AppointmentStatus.MISSED]


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def live_feed(user: User) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).first()


def feed_create(*, user: User) -> tuple[CalendarFeed, str]:
    """A new secret address (the old one, if any, stops working). Returns the feed and the
    secret, which is shown once and never stored."""
    if not may_have_caseload(user) or user.organisation_id is None:
        raise PermissionError("Only staff with a caseload have a calendar feed")
    raw = FEED_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        feed_revoke(user=user)
        feed = CalendarFeed.objects.create(
            user=user,
            prefix=raw[:PREFIX_LENGTH],
            digest=_digest(raw),
            role=user.role,
            organisation_id=user.organisation_id,
        )
        audit_record(
            actor=user,
            action="create",
            object_type="calendar_feed",
            object_id=feed.pk,
            changes={"feed": [None, feed.prefix]},
        )
    return feed, raw


def feed_revoke(*, user: User) -> bool:
    """Stop the person's feed; False when there was none."""
    with transaction.atomic():
        feed = (
            CalendarFeed.objects.select_for_update()
            .filter(user=user, revoked_at__isnull=True)
            .first()
        )
        if feed is None:
            return False
        feed.revoked_at = timezone.now()
        feed.save(update_fields=["revoked_at"])
        audit_record(
            actor=user,
            action="update",
            object_type="calendar_feed",
            object_id=feed.pk,
            changes={"revoked": [False, True]},
        )
    return True


def feed_owner(raw: str) -> User | None:
    """The staff member whose live feed this secret opens, or None. A revoked secret, or one
    whose owner's role or organisation has changed since, is refused on the trail (an unknown
    secret names nobody to record it against)."""
    if not raw.startswith(FEED_PREFIX) or len(raw) < 30 or len(raw) > 100:
        return None
    feed = CalendarFeed.objects.select_related("user").filter(prefix=raw[:PREFIX_LENGTH]).first()
    if feed is None or not hmac.compare_digest(feed.digest, _digest(raw)):
        return None
    user = feed.user
    current = (
        feed.revoked_at is None
        and user.is_active
        and user.role == feed.role
        and user.organisation_id == feed.organisation_id
        and (user.access_changed_at is None or feed.created_at >= user.access_changed_at)
    )
    if not current:
        refusal_record(
            actor=user,
            reason="calendar_feed_revoked" if feed.revoked_at else "calendar_feed_outdated",
            object_type="calendar_feed",
            changes={"feed": feed.prefix},
        )
        return None
    now = timezone.now()
    if feed.last_used_at is None or now - feed.last_used_at > timedelta(minutes=1):
        CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=now)
    return user


def initials(first: str, last: str) -> str:
    return "".join(f"{name.strip()[:1].upper()}." for name in (first, last) if name.strip())


def summary_of(appointment: Appointment) -> str:
    """Who by initials and case number, and what: "J.R. RS-2026-00042: Court hearing"."""
    client = appointment.client
    who = initials(client.preferred_name or client.legal_first_name, client.legal_last_name)
    what = HEALTH_LABEL if appointment.is_clinical else appointment.get_kind_display()
    return f"{who} {client.case_number}: {what}"


def feed_calendar(user: User, *, now: datetime | None = None) -> tuple[bytes, list[Appointment]]:
    """The feed as iCalendar bytes, and the appointments it carries. Audited by the caller."""
    now = now or timezone.now()
    rows = list(
        caseload_appointments(user, now - FEED_PAST, now + FEED_AHEAD).filter(status__in=IN_FEED)
    )
    calendar = Calendar()
    calendar.add("prodid", "-//Casebridge//Appointments of my clients//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "Casebridge: my clients' appointments")
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    for appointment in rows:
        event = Event()
        event.add("uid", f"appointment-{appointment.pk}@casebridge")
        event.add("dtstamp", now)
        event.add("summary", summary_of(appointment))
        if appointment.timed:
            event.add("dtstart", appointment.starts_at)
            event.add("dtend", appointment.ends_at)
        else:
            # A day without a time: an all-day entry on that day where the program works.
            event.add("dtstart", timezone.localdate(appointment.starts_at))
            event.add("dtend", timezone.localdate(appointment.starts_at) + timedelta(days=1))
        calendar.add_component(event)
    return calendar.to_ical(), rows


def feed_fetch(user: User) -> bytes:
    """The feed for its owner, with the fetch on the audit trail (which clients it showed)."""
    body, rows = feed_calendar(user)
    audit_record(
        actor=user,
        action="view",
        object_type="calendar_feed",
        changes={
            "clients": sorted({row.client_id for row in rows}),
            "appointments": len(rows),
        },
    )
    return body

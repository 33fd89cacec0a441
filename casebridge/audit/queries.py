"""Reads of the audit trail for auditors."""

from datetime import date, datetime, time
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from casebridge.audit.models import AuditEvent


def audit_events(
    *,
    organisation_id: int | None,
    actor_id: int | None = None,
    client_id: int | None = None,
    since: date | None = None,
    until: date | None = None,
    action: str = "",
) -> QuerySet[AuditEvent, Any]:
    events = AuditEvent.objects.filter(organisation_id=organisation_id)
    events = events.select_related("actor").order_by("-id")
    if actor_id:
        events = events.filter(actor_id=actor_id)
    if client_id:
        events = events.filter(client_id=client_id)
    if action:
        events = events.filter(action=action)
    tz = timezone.get_current_timezone()
    if since:
        events = events.filter(at__gte=datetime.combine(since, time.min, tzinfo=tz))
    if until:
        events = events.filter(at__lte=datetime.combine(until, time.max, tzinfo=tz))
    return events

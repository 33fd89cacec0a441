"""Telling people of new alerts beyond My Day: by email and text message, as each person
prefers, outside their quiet hours unless they are on call.

Who: the client's case managers (primary and secondary) who may see the alert under the access
policy. When: at once, or at the end of the person's quiet hours unless they are on call for the
client's program. How: each new alert writes
outbox rows (Notification) in the transaction that made it; a background task sends what is
due, one message per person and channel however many alerts it covers. Messages carry a link
and a count only: no name, no case number, no reason (no PHI leaves by email or text).

A rerun of the task sends nothing twice: email goes through the delivery outbox
(background/outbox.py) under a key naming the rows it covers; a text's rows are marked with
their key before sending and sent again only if that run never marked them sent.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from casebridge.access.policy import role_actions
from casebridge.accounts.models import Role, User
from casebridge.alerts.models import (
    Alert,
    Channel,
    Notification,
    NotificationPreference,
    Priority,
)
from casebridge.alerts.sms import TextMessage, send
from casebridge.background.outbox import deliver_once
from casebridge.clients.models import Client
from casebridge.safety.queries import on_call_now


def quiet_until(preference: NotificationPreference | None, now: datetime) -> datetime | None:
    """When the person's quiet hours end, if `now` is inside them (None when it is not)."""
    if preference is None or preference.quiet_from is None or preference.quiet_until is None:
        return None
    local = timezone.localtime(now)
    start, end, at = preference.quiet_from, preference.quiet_until, local.time()
    if start == end:
        return None
    if start < end:
        inside = start <= at < end
        end_day = local.date()
    else:  # overnight, e.g. 20:00 to 07:00
        inside = at >= start or at < end
        end_day = local.date() + timedelta(days=1) if at >= start else local.date()
    if not inside:
        return None
    return timezone.make_aware(datetime.combine(end_day, end))


def _wants(preference: NotificationPreference | None, channel: str, priority: int) -> bool:
    if preference is None:  # no choice made yet: email for high and urgent alerts
        return channel == Channel.EMAIL and priority <= Priority.HIGH
    threshold = preference.email_from if channel == Channel.EMAIL else preference.sms_from
    if channel == Channel.SMS and not preference.sms_number:
        return False
    return threshold is not None and priority <= threshold


def queue_notifications(alert_ids: Iterable[int], *, now: datetime | None = None) -> int:
    """Write the outbox rows for these new alerts (in the caller's transaction) and queue their
    sending once it commits. Returns how many rows were written.

    Who: the client's case managers whose role has the alert's action (the access policy is
    asked again when the message goes). Quiet hours hold a message, except for someone on call
    for the client's program now."""
    ids = list(alert_ids)
    if not ids:
        return 0
    now = now or timezone.now()
    alerts = list(
        Alert.objects.filter(pk__in=ids).select_related(
            "client__primary_case_manager", "client__secondary_case_manager"
        )
    )
    people: dict[int, User] = {}
    allowed: list[tuple[Alert, User]] = []
    # Escalations go to the supervisors of the client's program too (one query for them all).
    escalated = {alert.client.program_id for alert in alerts if alert.for_supervisor}
    supervisors: dict[int, set[User | None]] = defaultdict(set)
    if escalated:
        for supervisor in User.objects.filter(
            role=Role.SUPERVISOR, is_active=True, programs__in=escalated
        ).annotate(program=F("programs")):
            supervisors[supervisor.program].add(supervisor)
    for alert in alerts:
        team: set[User | None] = {
            alert.client.primary_case_manager,
            alert.client.secondary_case_manager,
        }
        if alert.for_supervisor:
            team |= supervisors[alert.client.program_id]
        for user in team:
            if user is None or not user.is_active or user.pk == alert.raised_by_id:
                continue
            # The role's actions here; whether the policy lets this person see this client is
            # asked when the message goes (send_due), once per person, not per alert.
            if alert.needs_action not in role_actions(user):
                continue
            people[user.pk] = user
            allowed.append((alert, user))
    on_call = on_call_now(sorted({alert.client.program_id for alert, _ in allowed}))
    on_call_for = {(program_id, user.pk) for program_id, users in on_call.items() for user in users}
    preferences = {
        p.user_id: p for p in NotificationPreference.objects.filter(user_id__in=list(people))
    }
    rows = []
    for alert, user in allowed:
        preference = preferences.get(user.pk)
        quiet = (
            None
            if (alert.client.program_id, user.pk) in on_call_for
            else quiet_until(preference, now)
        )
        for channel in Channel.values:
            if _wants(preference, channel, alert.priority):
                rows.append(
                    Notification(
                        alert=alert,
                        user=user,
                        channel=channel,
                        created_at=now,
                        send_after=quiet or now,
                    )
                )
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    if rows:
        from casebridge.alerts.tasks import send_alert_notifications

        transaction.on_commit(lambda: send_alert_notifications.enqueue(), robust=True)
    return len(rows)


def _message(count: int, urgent: int) -> str:
    what = "1 new alert" if count == 1 else f"{count} new alerts"
    if urgent:
        what += f" ({urgent} urgent)"
    return f"Casebridge: {what} for you. Open My Day: {settings.SITE_URL}/my-day/"


def _still_theirs(user: User, rows: list[Notification]) -> list[Notification]:
    """The rows whose client the access policy still lets `user` see with the alert's action
    (one query per action among them)."""
    by_action: dict[str, list[Notification]] = defaultdict(list)
    for row in rows:
        by_action[row.alert.needs_action].append(row)
    kept: list[Notification] = []
    for action, theirs in by_action.items():
        reach = set(
            Client.objects.restrict(user, action, include_emergency=False)
            .filter(pk__in={row.alert.client_id for row in theirs})
            .values_list("pk", flat=True)
        )
        kept += [row for row in theirs if row.alert.client_id in reach]
    return sorted(kept, key=lambda row: row.pk)


def send_due(*, now: datetime | None = None) -> int:
    """Send every notification due now, one message per person and channel. Returns how many
    messages went out."""
    now = now or timezone.now()
    due = (
        Notification.objects.filter(sent_at__isnull=True, send_after__lte=now)
        .select_related("user", "alert", "user__alert_preference")
        .order_by("id")
    )
    groups: dict[tuple[int, str], list[Notification]] = defaultdict(list)
    for row in due:
        groups[(row.user_id, row.channel)].append(row)
    sent = 0
    for (_, channel), rows in groups.items():
        pks = [row.pk for row in rows]
        if not rows[0].user.is_active:  # switched off while the message waited: not sent
            Notification.objects.filter(pk__in=pks).update(sent_at=now)
            continue
        # Only what the policy lets the person see now: access may have changed meanwhile.
        rows = _still_theirs(rows[0].user, rows)
        if not rows:
            Notification.objects.filter(pk__in=pks).update(sent_at=now)
            continue
        # A rerun regroups the same rows under the same key: the first row names the message.
        key = rows[0].delivery_key or f"alerts:{rows[0].pk}"
        Notification.objects.filter(pk__in=pks, delivery_key="").update(delivery_key=key)
        user = rows[0].user
        urgent = sum(1 for row in rows if row.alert.priority == Priority.URGENT)
        body = _message(len(rows), urgent)
        if channel == Channel.EMAIL:
            if not user.email:
                delivered = False
            else:
                deliver_once(
                    key=key,
                    message=EmailMessage(
                        subject="Casebridge: new alerts", body=body, to=[user.email]
                    ),
                )
                delivered = True
        else:
            number = getattr(getattr(user, "alert_preference", None), "sms_number", "")
            delivered = bool(number) and send([TextMessage(to=number, body=body)]) == 1
        Notification.objects.filter(pk__in=pks).update(sent_at=now)
        sent += int(delivered)
    return sent


def quiet_hours_text(start: time | None, end: time | None) -> str:
    if start is None or end is None:
        return "none"
    return f"{start:%H:%M} to {end:%H:%M}"

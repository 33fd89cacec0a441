"""Turning findings into alerts, and what people do with them.

`evaluate_clients` is the one writer of rule alerts: it finds every rule's facts for a set of
clients and brings their alerts in step, in one transaction. New findings become open alerts;
an alert that resolved itself comes back if its facts are true again; a live alert whose facts
stopped being true resolves itself and says why. A person's resolution stands: the same finding
never opens again. The unique (client, kind, key) row makes every run idempotent: two runs at
once, or a run killed halfway and started again, leave one alert per finding.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from casebridge.accounts.models import User
from casebridge.alerts.findings import ClientFacts, Context, Finding, find
from casebridge.alerts.models import (
    LIVE_STATES,
    Alert,
    AlertKind,
    AlertState,
    NotificationPreference,
    Priority,
)
from casebridge.alerts.notifications import queue_notifications
from casebridge.alerts.rules import (
    CASE_CONCLUDED,
    CONCERN_NEEDS_ACTION,
    ENDED_BECAUSE,
    RULE_TURNED_OFF,
    RULES,
    rule_settings,
)
from casebridge.audit.services import audit_record
from casebridge.audit.versions import check_record_version, save_version
from casebridge.clients.extensions import due_changed
from casebridge.clients.models import Client
from casebridge.clients.stages import Stage

LONGEST_SNOOZE_DAYS = 90
CONCERN_MAX_LENGTH = 500


@dataclass
class Evaluation:
    clients: int = 0
    opened: int = 0
    reopened: int = 0
    resolved: int = 0
    woken: int = 0

    def add(self, other: "Evaluation") -> None:
        self.clients += other.clients
        self.opened += other.opened
        self.reopened += other.reopened
        self.resolved += other.resolved
        self.woken += other.woken


def _new_alert(finding: Finding, now: datetime) -> Alert:
    rule = RULES[finding.kind]
    return Alert(
        client_id=finding.client_id,
        kind=finding.kind,
        key=finding.key[:60],
        priority=finding.priority or rule.priority,
        for_supervisor=finding.for_supervisor,
        title=finding.title[:200],
        facts=finding.facts,
        fact_on=finding.fact_on,
        act_url_name=rule.act_url_name,
        needs_action=finding.needs_action or rule.needs_action,
        state=AlertState.OPEN,
        opened_at=now,
    )


def evaluate_clients(
    client_ids: Iterable[int], *, now: datetime | None = None, contiguous: bool = False
) -> Evaluation:
    """Bring the rule alerts of these clients in step with their record (one transaction, a
    fixed number of queries however many clients). `contiguous`: the ids are every client
    between the first and the last (a sweep's batch), so they are read as a range."""
    ids = sorted(set(client_ids))
    result = Evaluation(clients=len(ids))
    if not ids:
        return result
    now = now or timezone.now()
    today = timezone.localdate(now)
    id_range = (ids[0], ids[-1]) if contiguous else None
    among = Q(client_id__gte=ids[0], client_id__lte=ids[-1]) if contiguous else Q(client_id__in=ids)
    with transaction.atomic():
        batch = Q(pk__gte=ids[0], pk__lte=ids[-1]) if contiguous else Q(pk__in=ids)
        rows = Client.objects.filter(batch).values_list(
            "pk", "program_id", "stage", "next_contact_due_at", "last_contact_at"
        )
        facts: dict[int, ClientFacts] = {}
        program_of: dict[int, int] = {}
        for pk, program_id, stage, next_due, last_contact in rows:
            program_of[pk] = program_id
            if stage != Stage.CONCLUSION:
                facts[pk] = ClientFacts(pk, program_id, next_due, last_contact)
        by_program = rule_settings(set(program_of.values()))
        settings = {pk: by_program[program_id] for pk, program_id in program_of.items()}
        findings = find(Context(facts, settings, today, now, id_range=id_range)) if facts else []
        found = {(f.client_id, f.kind, f.key[:60]): f for f in findings}

        existing = Alert.objects.filter(among).exclude(kind=AlertKind.CONCERN)
        existing = existing.filter(
            Q(state__in=sorted(LIVE_STATES))
            | Q(
                state=AlertState.RESOLVED,
                resolved_automatically=True,
                key__in={k for _, _, k in found},
            )
        )
        to_reopen: list[int] = []
        to_resolve: dict[str, list[int]] = defaultdict(list)
        changed: set[int] = set()  # the clients whose alerts this run changes
        for pk, client_id, kind, key, state, fact_on in existing.values_list(
            "pk", "client_id", "kind", "key", "state", "fact_on"
        ):
            if found.pop((client_id, kind, key), None) is not None:
                if state == AlertState.RESOLVED:
                    to_reopen.append(pk)
                    changed.add(client_id)
                continue
            if state == AlertState.RESOLVED:
                continue
            if client_id not in facts:
                to_resolve[CASE_CONCLUDED].append(pk)
            elif not settings[client_id][kind]["enabled"]:
                to_resolve[RULE_TURNED_OFF].append(pk)
            elif _out_of_window(kind, fact_on, settings[client_id], today):
                continue  # history: its rule no longer looks that far back
            else:
                to_resolve[ENDED_BECAUSE[kind]].append(pk)
            changed.add(client_id)

        concluded = [pk for pk in program_of if pk not in facts]
        if concluded:  # a concern ends with the case too
            for pk, client_id in Alert.objects.filter(
                client_id__in=concluded,
                kind=AlertKind.CONCERN,
                state__in=sorted(LIVE_STATES),
            ).values_list("pk", "client_id"):
                to_resolve[CASE_CONCLUDED].append(pk)
                changed.add(client_id)
        for because, pks in to_resolve.items():
            result.resolved += Alert.objects.filter(
                pk__in=pks, state__in=sorted(LIVE_STATES)
            ).update(
                state=AlertState.RESOLVED,
                resolved_at=now,
                resolved_by=None,
                resolved_automatically=True,
                resolution_note=because,
                snoozed_until=None,
                version=F("version") + 1,
            )
        if to_reopen:
            result.reopened = Alert.objects.filter(
                pk__in=to_reopen, state=AlertState.RESOLVED, resolved_automatically=True
            ).update(
                state=AlertState.OPEN,
                opened_at=now,
                resolved_at=None,
                resolved_automatically=False,
                resolution_note="",
                acknowledged_by=None,
                acknowledged_at=None,
                version=F("version") + 1,
            )
        if found:
            Alert.objects.bulk_create(
                [_new_alert(f, now) for f in found.values()], ignore_conflicts=True
            )
            changed.update(f.client_id for f in found.values())
        due_changed(changed)
        if found or to_reopen:
            # What this run opened (another run at the same moment cannot share `now`).
            fresh = list(
                Alert.objects.filter(among, opened_at=now, state=AlertState.OPEN).values_list(
                    "pk", flat=True
                )
            )
            result.opened = len(fresh) - result.reopened
            queue_notifications(fresh, now=now)
    return result


def _out_of_window(
    kind: str, fact_on: date, numbers: dict[str, dict[str, int]], today: date
) -> bool:
    window = RULES[kind].window
    if not window:
        return False
    return fact_on < today - timedelta(days=int(numbers[kind][window]))


def wake_snoozed(today: date, *, client_ids: list[int] | None = None) -> int:
    """Snoozed alerts whose day has come are open again (of these clients, or everyone's)."""
    due = Alert.objects.filter(state=AlertState.SNOOZED, snoozed_until__lte=today)
    if client_ids is not None:
        due = due.filter(client_id__in=client_ids)
    # Nothing the due items show changes: a snoozed alert whose day has come shows already.
    return due.update(state=AlertState.OPEN, snoozed_until=None, version=F("version") + 1)


def sweep(*, now: datetime | None = None, batch: int | None = None) -> Evaluation:
    """Evaluate every client, in batches of `batch` clients (ALERTS_SWEEP_BATCH) with a
    transaction each, so that a sweep cut short has kept what it did and the next one starts
    over safely."""
    now = now or timezone.now()
    batch = batch or settings.ALERTS_SWEEP_BATCH
    total = Evaluation(woken=wake_snoozed(timezone.localdate(now)))
    last = 0
    while True:
        ids = list(
            Client.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:batch]
        )
        if not ids:
            break
        total.add(evaluate_clients(ids, now=now, contiguous=True))
        last = ids[-1]
    return total


# What people do with an alert


def _move(alert: Alert, *, by: User, version: int | None, to_state: str, **fields: object) -> Alert:
    """Move a live alert to `to_state` with these fields, under its lock and version, audited
    with what changed. A resolved alert stays resolved."""
    with transaction.atomic():
        alert = Alert.objects.select_for_update().get(pk=alert.pk)
        check_record_version(
            alert,
            version,
            object_type="alert",
            message="Someone else changed this alert since you opened it. Look at it again.",
        )
        if alert.state == AlertState.RESOLVED:
            raise ValidationError("This alert is already resolved.")
        changes: dict[str, list[object]] = {"state": [alert.state, to_state]}
        alert.state = to_state
        for name, value in fields.items():
            if name in {"resolution_note", "snoozed_until"} and value:
                changes[name] = [getattr(alert, name), str(value)]
            setattr(alert, name, value)
        save_version(alert, actor=by, object_type="alert", changes=changes)
    return alert


def alert_acknowledge(*, alert: Alert, by: User, version: int | None) -> Alert:
    """Say someone is on it: it stays on My Day, marked as seen."""
    return _move(
        alert,
        by=by,
        version=version,
        to_state=AlertState.ACKNOWLEDGED,
        snoozed_until=None,
        acknowledged_by=by,
        acknowledged_at=timezone.now(),
    )


def alert_resolve(*, alert: Alert, by: User, note: str, version: int | None) -> Alert:
    """Close an alert with a note saying what was done. It does not come back for these facts."""
    note = note.strip()
    if not note:
        raise ValidationError({"note": "Say what was done, so the next person knows."})
    if len(note) > 500:
        raise ValidationError({"note": "Keep the note to 500 characters."})
    return _move(
        alert,
        by=by,
        version=version,
        to_state=AlertState.RESOLVED,
        snoozed_until=None,
        resolved_by=by,
        resolved_at=timezone.now(),
        resolution_note=note,
        resolved_automatically=False,
    )


def alert_snooze(*, alert: Alert, by: User, until: date, version: int | None) -> Alert:
    """Put an alert out of sight until a day; it opens again that morning by itself."""
    today = timezone.localdate()
    if until <= today:
        raise ValidationError({"until": "Choose a day after today."})
    if until > today + timedelta(days=LONGEST_SNOOZE_DAYS):
        raise ValidationError(
            {"until": f"Snooze for at most {LONGEST_SNOOZE_DAYS} days; resolve it instead."}
        )
    return _move(alert, by=by, version=version, to_state=AlertState.SNOOZED, snoozed_until=until)


def concern_raise(*, client: Client, by: User, text: str) -> Alert:
    """A person's worry about a client ("I'm worried about ..."), as an alert for those who work
    with the client. Only a person resolves it."""
    text = text.strip()
    if not text:
        raise ValidationError({"text": "Say what you are worried about."})
    if len(text) > CONCERN_MAX_LENGTH:
        raise ValidationError({"text": f"Keep it to {CONCERN_MAX_LENGTH} characters."})
    now = timezone.now()
    with transaction.atomic():
        alert = Alert(
            client=client,
            kind=AlertKind.CONCERN,
            key=f"concern-{now:%Y%m%d%H%M%S%f}-{by.pk}",
            priority=Priority.HIGH,
            title=f"Concern from {by.display_name}"[:200],
            facts=[text],
            fact_on=timezone.localdate(now),
            act_url_name="client_overview",
            needs_action=CONCERN_NEEDS_ACTION,
            opened_at=now,
            raised_by=by,
        )
        alert.full_clean()
        alert.save()
        audit_record(
            actor=by,
            action="create",
            client_id=client.pk,
            object_type="alert",
            object_id=alert.pk,
            changes={"kind": [None, AlertKind.CONCERN]},
        )
        queue_notifications([alert.pk], now=now)
    return alert


def preference_save(
    *, user: User, version: int | None, **choices: object
) -> NotificationPreference:
    """Save how a person hears of alerts; refused when it changed since they opened it (two
    windows open), so neither overwrites the other unseen."""
    with transaction.atomic():
        preference, _ = NotificationPreference.objects.select_for_update().get_or_create(user=user)
        if version is not None and version != preference.version:
            raise ValidationError(
                "Your notification settings were changed in another window since you opened "
                "them. Look at them again."
            )
        before = {name: str(getattr(preference, name)) for name in choices}
        for name, value in choices.items():
            setattr(preference, name, value)
        preference.version += 1
        preference.full_clean()
        preference.save()
        audit_record(
            actor=user,
            action="update",
            object_type="notification_preference",
            object_id=preference.pk,
            changes={name: [before[name], str(value)] for name, value in choices.items()},
        )
    return preference

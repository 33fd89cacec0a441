"""Medications, medications for opioid use disorder (MOUD) among them: recording and changing a
prescription, what a drug screen should expect from them, and MOUD gaps as due items.

A renewal is recorded as the next prescription, so the days between two of them show. A MOUD
prescription that runs out with no next one covering the day after is a gap in treatment, the
time of highest overdose risk: it is due on the caseload and the client header from two weeks
before it runs out until the next prescription is recorded or the stop is recorded with a reason.
"""

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from casebridge.accounts.models import User
from casebridge.audit.services import audit_record, changed_fields
from casebridge.audit.versions import check_version, save_version
from casebridge.clients import services as client_services
from casebridge.clients.extensions import DueItem
from casebridge.clients.models import Client
from casebridge.clients.stages import Stage
from casebridge.inputs import EARLIEST_DATE, LATEST_DATE, LONG_TEXT, text_problem
from casebridge.monitoring.models.recovery import (
    MOUD,
    Medication,
    RecoveryTimelineKind,
    UseDisorderMedication,
)
from casebridge.monitoring.services.screens import catalogue

MOUD_WARNING_DAYS = 14  # how long before a MOUD prescription runs out it shows as due
PLANNED_AHEAD_DAYS = 366  # a prescription recorded ahead starts within a year
# What a medication for a use disorder shows as on a drug screen panel; the others (naltrexone,
# acamprosate, disulfiram) are not on the usual panels.
SCREENS_AS: dict[str, tuple[str, ...]] = {
    UseDisorderMedication.BUPRENORPHINE: ("buprenorphine",),
    UseDisorderMedication.METHADONE: ("methadone",),
}
CONFLICT_MESSAGE = (
    "Someone changed this medication while you were editing it. Your changes were not saved; "
    "review theirs below and make yours again."
)


def _house_date(day: date) -> str:
    return f"{day:%b} {day.day}, {day.year}"


def _text(
    errors: dict[str, str],
    field: str,
    value: str,
    *,
    limit: int,
    required: str = "",
    multiline: bool = False,
) -> str:
    value = (value or "").strip()
    problem = text_problem(value, multiline=multiline, max_length=limit)
    if problem:
        errors[field] = problem
    elif required and not value:
        errors[field] = required
    return value


@dataclass(frozen=True)
class _Checked:
    drug: str
    use_disorder: str
    dose: str
    prescriber: str
    pharmacy: str
    started_on: date
    ends_on: date | None
    stopped_on: date | None
    stop_reason: str
    adherence_notes: str
    screens_as: list[str]


def _checked(
    *,
    drug: str,
    dose: str,
    started_on: date,
    use_disorder: str,
    prescriber: str,
    pharmacy: str,
    ends_on: date | None,
    stopped_on: date | None,
    stop_reason: str,
    adherence_notes: str,
    screens_as: Collection[str],
) -> _Checked:
    errors: dict[str, str] = {}
    drug = _text(errors, "drug", drug, limit=200, required="Name the medication, as on the label.")
    dose = _text(errors, "dose", dose, limit=100, required="Give the dose and how often.")
    prescriber = _text(errors, "prescriber", prescriber, limit=200)
    pharmacy = _text(errors, "pharmacy", pharmacy, limit=200)
    stop_reason = _text(errors, "stop_reason", stop_reason, limit=300)
    adherence_notes = _text(
        errors, "adherence_notes", adherence_notes, limit=LONG_TEXT, multiline=True
    )
    if use_disorder and use_disorder not in UseDisorderMedication.values:
        errors["use_disorder"] = "Choose from the list, or leave it empty."
    today = timezone.localdate()
    if not isinstance(started_on, date) or not EARLIEST_DATE <= started_on <= LATEST_DATE:
        errors["started_on"] = "Check the year: give a date between 1900 and 2100."
    elif started_on > today + timedelta(days=PLANNED_AHEAD_DAYS):
        errors["started_on"] = "A prescription recorded ahead starts within a year."
    elif ends_on is not None and ends_on < started_on:
        errors["ends_on"] = "The prescription runs out after it starts. Check both dates."
    if ends_on is not None and ends_on > LATEST_DATE:
        errors["ends_on"] = "Check the year: give a date between 1900 and 2100."
    if stopped_on is not None:
        if stopped_on > today:
            errors["stopped_on"] = "A medication is recorded as stopped once it has stopped."
        elif isinstance(started_on, date) and stopped_on < started_on:
            errors["stopped_on"] = "It stopped after it started. Check both dates."
        if not stop_reason and "stop_reason" not in errors:
            errors["stop_reason"] = (
                "Say why it stopped, e.g. 'Prescriber tapered it off' or 'Client chose to stop'."
            )
    elif stop_reason:
        errors["stopped_on"] = "Give the date it stopped, or clear the reason."
    unknown = sorted(set(screens_as) - set(catalogue().substances))
    if unknown:
        errors["screens_as"] = "Choose substances from the list."
    if errors:
        raise ValidationError(errors)
    wanted = set(screens_as) | set(SCREENS_AS.get(use_disorder, ()))
    return _Checked(
        drug=drug,
        use_disorder=use_disorder,
        dose=dose,
        prescriber=prescriber,
        pharmacy=pharmacy,
        started_on=started_on,
        ends_on=ends_on,
        stopped_on=stopped_on,
        stop_reason=stop_reason,
        adherence_notes=adherence_notes,
        screens_as=[code for code in catalogue().substances if code in wanted],
    )


def _audited(medication: Medication) -> dict[str, Any]:
    def day(value: date | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "drug": medication.drug,
        "medication for a use disorder": medication.use_disorder,
        "dose": medication.dose,
        "prescriber": medication.prescriber,
        "pharmacy or clinic": medication.pharmacy,
        "start date": day(medication.started_on),
        "prescription runs out": day(medication.ends_on),
        "stopped on": day(medication.stopped_on),
        "why it stopped": medication.stop_reason,
        "adherence": medication.adherence_notes,
        "shows on screens as": list(medication.screens_as),
    }


def _described(medication: Medication) -> str:
    kind = ""
    if medication.use_disorder:
        kind = " (MOUD)" if medication.is_moud else " (for alcohol use disorder)"
    until = f" to {_house_date(medication.ends_on)}" if medication.ends_on else ""
    return (
        f"{medication.drug}{kind}, {medication.dose}, from "
        f"{_house_date(medication.started_on)}{until}"
    )


def medication_record(
    *,
    client: Client,
    by: User,
    drug: str,
    dose: str,
    started_on: date,
    use_disorder: str = "",
    prescriber: str = "",
    pharmacy: str = "",
    ends_on: date | None = None,
    screens_as: Collection[str] = (),
    adherence_notes: str = "",
) -> Medication:
    """Record a prescription. A medication for a use disorder that shows on screens
    (buprenorphine, methadone) is expected on them without being ticked."""
    checked = _checked(
        drug=drug,
        dose=dose,
        started_on=started_on,
        use_disorder=use_disorder,
        prescriber=prescriber,
        pharmacy=pharmacy,
        ends_on=ends_on,
        stopped_on=None,
        stop_reason="",
        adherence_notes=adherence_notes,
        screens_as=screens_as,
    )
    with transaction.atomic():
        medication = Medication(client=client, recorded_by=by, **checked.__dict__)
        medication.full_clean()
        medication.save()
        audit_record(
            actor=by,
            action="create",
            client_id=client.pk,
            object_type="medication",
            object_id=medication.pk,
            changes=changed_fields({}, _audited(medication)),
        )
        client_services.timeline_add(
            client=client,
            kind=RecoveryTimelineKind.MEDICATION,
            summary=f"Medication recorded: {_described(medication)}",
            actor=by,
        )
    return medication


def medication_update(
    *,
    medication: Medication,
    by: User,
    version: int,
    drug: str,
    dose: str,
    started_on: date,
    use_disorder: str = "",
    prescriber: str = "",
    pharmacy: str = "",
    ends_on: date | None = None,
    stopped_on: date | None = None,
    stop_reason: str = "",
    screens_as: Collection[str] = (),
    adherence_notes: str = "",
) -> Medication:
    """Change a prescription opened at `version`: correct it, note adherence, or record that it
    stopped (a date and why)."""
    with transaction.atomic():
        current = (
            Medication.objects.select_for_update().select_related("client").get(pk=medication.pk)
        )
        check_version(
            current=current.version,
            version=version,
            client_id=current.client_id,
            object_type="medication",
            object_id=current.pk,
            message=CONFLICT_MESSAGE,
        )
        checked = _checked(
            drug=drug,
            dose=dose,
            started_on=started_on,
            use_disorder=use_disorder,
            prescriber=prescriber,
            pharmacy=pharmacy,
            ends_on=ends_on,
            stopped_on=stopped_on,
            stop_reason=stop_reason,
            adherence_notes=adherence_notes,
            screens_as=screens_as,
        )
        before = _audited(current)
        was_stopped = current.stopped_on is not None
        for name, value in checked.__dict__.items():
            setattr(current, name, value)
        changes = changed_fields(before, _audited(current))
        save_version(current, actor=by, object_type="medication", changes=changes)
        if current.stopped_on is not None and not was_stopped:
            summary = (
                f"Medication stopped on {_house_date(current.stopped_on)}: {current.drug}. "
                f"{current.stop_reason}"
            )
        elif changes:
            summary = f"Medication changed ({', '.join(changes)}): {_described(current)}"
        else:
            summary = ""
        if summary:
            client_services.timeline_add(
                client=current.client,
                kind=RecoveryTimelineKind.MEDICATION,
                summary=summary,
                actor=by,
            )
    return current


# Reads


def medications_for(client: Client) -> list[Medication]:
    """The client's prescriptions: those taken today first, then the newest."""
    today = timezone.localdate()
    found = list(client.medications.select_related("recorded_by"))
    return sorted(found, key=lambda m: not m.taken_on(today))


def medication_of(client: Client, medication_id: int) -> Medication | None:
    return client.medications.filter(pk=medication_id).first()


def expected_on(client: Client, day: date) -> list[str]:
    """The substances a screen on `day` should find because the client takes them on
    prescription: what the form ticks to begin with (one query)."""
    wanted: set[str] = set()
    for medication in client.medications.filter(started_on__lte=day).only(
        "started_on", "ends_on", "stopped_on", "screens_as"
    ):
        if medication.taken_on(day):
            wanted.update(medication.screens_as)
    return [code for code in catalogue().substances if code in wanted]


def next_prescription(client: Client, medication: Medication) -> dict[str, Any]:
    """What the next prescription after `medication` starts from: the same drug, dose,
    prescriber and pharmacy, starting the day after it runs out."""
    starts = (medication.ends_on + timedelta(days=1)) if medication.ends_on else None
    return {
        "drug": medication.drug,
        "use_disorder": medication.use_disorder,
        "dose": medication.dose,
        "prescriber": medication.prescriber,
        "pharmacy": medication.pharmacy,
        "screens_as": list(medication.screens_as),
        "started_on": starts or timezone.localdate(),
    }


# MOUD gaps


@dataclass(frozen=True)
class Prescription:
    """One MOUD prescription's dates, as the gap rule reads them (covering a day as
    Medication.taken_on does)."""

    pk: int
    started_on: date
    ends_on: date | None
    stopped_on: date | None

    def covers(self, day: date) -> bool:
        return (
            self.started_on <= day
            and (self.ends_on is None or day <= self.ends_on)
            and (self.stopped_on is None or day < self.stopped_on)
        )


def gaps(prescriptions: Iterable[Prescription], today: date) -> list[DueItem]:
    """The MOUD gaps of one client: each prescription that runs out within two weeks (or ran
    out) with no other covering the day after, unless it was stopped with a reason or treatment
    has restarted since (a gap already over is history, not a due item)."""
    found: list[DueItem] = []
    every = list(prescriptions)
    for rx in every:
        if rx.stopped_on is not None or rx.ends_on is None:
            continue
        if rx.ends_on > today + timedelta(days=MOUD_WARNING_DAYS):
            continue
        day_after = rx.ends_on + timedelta(days=1)
        others = [other for other in every if other.pk != rx.pk]
        if any(other.covers(day_after) for other in others):
            continue
        if any(day_after < other.started_on <= today for other in others):
            continue
        later = sorted(other.started_on for other in others if other.started_on > day_after)
        verb = "ended" if rx.ends_on < today else "ends"
        ends = f"{rx.ends_on:%b} {rx.ends_on.day}"
        then = f"next one starts {later[0]:%b} {later[0].day}" if later else "no next one recorded"
        found.append(
            DueItem(
                label=f"MOUD prescription {verb} {ends} — {then}",
                due_on=rx.ends_on,
                url_name="recovery",
            )
        )
    return found


def moud_gaps_due(client_ids: list[int]) -> dict[int, list[DueItem]]:
    """MOUD gaps as due items for a page of clients (one query, however many clients); a
    concluded case has none."""
    by_client: dict[int, list[Prescription]] = defaultdict(list)
    rows = (
        Medication.objects.filter(client_id__in=client_ids, use_disorder__in=sorted(MOUD))
        .exclude(client__stage=Stage.CONCLUSION)
        .values_list("client_id", "pk", "started_on", "ends_on", "stopped_on")
    )
    for client_id, pk, started_on, ends_on, stopped_on in rows:
        by_client[client_id].append(Prescription(pk, started_on, ends_on, stopped_on))
    today = timezone.localdate()
    due: dict[int, list[DueItem]] = {}
    for client_id, prescriptions in by_client.items():
        items = gaps(prescriptions, today)
        if items:
            due[client_id] = items
    return due

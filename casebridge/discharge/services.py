"""Every write of the discharge app: the aftercare plan, discharge summary drafts, finalising
(signing and freezing the facts), and sending a finalised summary out through the consent gate.

Each function is keyword-only, runs in one transaction, checks its input in plain words
(ValidationError keyed by field) and audits what it changed. Who may call which is decided by the
views through the access policy.
"""

from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from casebridge.accounts.models import User
from casebridge.audit.services import audit_record, changed_fields
from casebridge.audit.versions import check_record_version, check_version, save_version
from casebridge.clients.models import Client
from casebridge.clients.services import timeline_add
from casebridge.consents.gate import Recipient
from casebridge.consents.models import DisclosureMethod, InformationCategory, Purpose
from casebridge.consents.services import DisclosureRefused, disclosure_record
from casebridge.discharge import queries
from casebridge.discharge.models import (
    CARE_KIND_NAMES,
    LINE_LIMIT,
    MAX_FORTNIGHTLY_WEEKS,
    MAX_LINES,
    MAX_MONTHLY_MONTHS,
    MAX_WEEKLY_WEEKS,
    TEXT_LIMIT,
    AftercarePlan,
    DischargeSummary,
    SummaryDisclosure,
    TimelineKind,
)
from casebridge.discharge.statuses import SummaryStatus, may_move
from casebridge.inputs import EARLIEST_DATE, lines_problem, text_problem, tidy_lines

SUMMARY = "discharge_summary"
AFTERCARE = "aftercare_plan"
LOCKED_MESSAGE = (
    "This discharge summary is final, so it cannot be changed. Start a new one instead."
)
STALE_SUMMARY = "Someone else changed this discharge summary while you were working on it."
STALE_AFTERCARE = "Someone else changed this aftercare plan while you were working on it."
# A discharge is planned ahead, but not by more than a year; anything later is a typing slip.
MAX_DAYS_AHEAD = 366
DESCRIPTION_LIMIT = 300


class SummaryLocked(Exception):
    """The summary is final; a correction is a new summary."""


def _day_problem(value: Any) -> str:
    if not isinstance(value, date):
        return "Give the discharge day."
    latest = timezone.localdate() + timedelta(days=MAX_DAYS_AHEAD)
    if not EARLIEST_DATE <= value <= latest:
        return f"Give a day between 1900 and {latest:%B} {latest.day}, {latest.year}."
    return ""


def _list_problem(value: str) -> str:
    return lines_problem(value, max_length=TEXT_LIMIT, max_lines=MAX_LINES, line_limit=LINE_LIMIT)


def _whole(errors: dict[str, str], field: str, value: Any, largest: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= largest:
        errors[field] = f"Give a number of {what} from 0 to {largest}."
        return 0
    return value


# --- The aftercare plan ------------------------------------------------------------------------


def aftercare_save(
    *,
    client: Client,
    by: User,
    version: int | None,
    starts_on: date,
    weekly_weeks: int,
    fortnightly_weeks: int,
    monthly_months: int,
    care: dict[str, str],
    relapse_prevention: str,
) -> AftercarePlan:
    """Write the client's aftercare plan, or change it. `care` maps each kind of continuing care
    to its items, one a line. The first save is made with version 0; someone who saved since
    `version` makes this one refused (VersionConflict)."""
    unknown = set(care) - set(CARE_KIND_NAMES)
    if unknown:
        raise ValueError(f"Unknown kinds of care: {sorted(unknown)}")
    errors: dict[str, str] = {}
    if problem := _day_problem(starts_on):
        errors["starts_on"] = problem
    weekly = _whole(errors, "weekly_weeks", weekly_weeks, MAX_WEEKLY_WEEKS, "weeks")
    fortnightly = _whole(
        errors, "fortnightly_weeks", fortnightly_weeks, MAX_FORTNIGHTLY_WEEKS, "weeks"
    )
    monthly = _whole(errors, "monthly_months", monthly_months, MAX_MONTHLY_MONTHS, "months")
    texts = {name: care.get(name, "") for name in CARE_KIND_NAMES}
    texts["relapse_prevention"] = relapse_prevention
    for name, value in texts.items():
        if problem := _list_problem(value if isinstance(value, str) else ""):
            errors[name] = problem
    if errors:
        raise ValidationError(errors)
    after: dict[str, Any] = {name: tidy_lines(value) for name, value in texts.items()}
    after |= {
        "starts_on": starts_on,
        "weekly_weeks": weekly,
        "fortnightly_weeks": fortnightly,
        "monthly_months": monthly,
    }
    with transaction.atomic():
        # Lock the client's row so two first saves of the plan cannot both pass.
        Client.objects.select_for_update().filter(pk=client.pk).first()
        plan = AftercarePlan.objects.select_for_update().filter(client=client).first()
        if plan is None:
            check_version(
                current=0,
                version=version if version is not None else -1,
                client_id=client.pk,
                object_type=AFTERCARE,
                object_id="",
                message=STALE_AFTERCARE,
            )
            plan = AftercarePlan(client=client, created_by=by, **after)
            plan.full_clean()
            plan.save()
            audit_record(
                actor=by,
                action="create",
                client_id=client.pk,
                object_type=AFTERCARE,
                object_id=plan.pk,
                changes={name: [None, str(value)] for name, value in after.items()},
            )
            timeline_add(
                client=client,
                kind=TimelineKind.AFTERCARE,
                summary="Aftercare plan written",
                actor=by,
            )
            return plan
        check_record_version(plan, version, object_type=AFTERCARE, message=STALE_AFTERCARE)
        before = {name: getattr(plan, name) for name in after}
        for name, value in after.items():
            setattr(plan, name, value)
        changes = changed_fields(
            {name: str(value) for name, value in before.items()},
            {name: str(value) for name, value in after.items()},
        )
        save_version(plan, actor=by, object_type=AFTERCARE, changes=changes)
        if changes:
            timeline_add(
                client=client,
                kind=TimelineKind.AFTERCARE,
                summary="Aftercare plan changed",
                actor=by,
            )
    return plan


# --- Discharge summaries -----------------------------------------------------------------------


def summary_start(*, client: Client, by: User) -> DischargeSummary:
    """A new draft summary, its discharge day taken from the aftercare plan or the client's last
    stay. Refused while a draft is open (there is one draft at a time)."""
    with transaction.atomic():
        Client.objects.select_for_update().filter(pk=client.pk).first()
        if DischargeSummary.objects.filter(client=client, status=SummaryStatus.DRAFT).exists():
            raise ValidationError("There is already a draft discharge summary. Finish that one.")
        summary = DischargeSummary(
            client=client, discharged_on=queries.default_discharge_day(client), created_by=by
        )
        summary.full_clean()
        summary.save()
        audit_record(
            actor=by,
            action="create",
            client_id=client.pk,
            object_type=SUMMARY,
            object_id=summary.pk,
            changes={"discharged_on": [None, summary.discharged_on.isoformat()]},
        )
        timeline_add(
            client=client,
            kind=TimelineKind.DISCHARGE,
            summary="Discharge summary drafted",
            actor=by,
        )
    return summary


def summary_save(
    *,
    summary: DischargeSummary,
    by: User,
    version: int | None,
    discharged_on: date,
    recommendations: str,
) -> DischargeSummary:
    """Change a draft's discharge day and recommendations."""
    errors: dict[str, str] = {}
    if problem := _day_problem(discharged_on):
        errors["discharged_on"] = problem
    text = recommendations if isinstance(recommendations, str) else ""
    if problem := text_problem(text, multiline=True, max_length=TEXT_LIMIT):
        errors["recommendations"] = problem
    with transaction.atomic():
        current = DischargeSummary.objects.select_for_update().get(pk=summary.pk)
        if current.is_final:
            raise SummaryLocked(LOCKED_MESSAGE)
        check_record_version(current, version, object_type=SUMMARY, message=STALE_SUMMARY)
        if errors:
            raise ValidationError(errors)
        before = {
            "discharged_on": current.discharged_on.isoformat(),
            "recommendations": current.recommendations,
        }
        current.discharged_on = discharged_on
        current.recommendations = text.strip()
        after = {
            "discharged_on": discharged_on.isoformat(),
            "recommendations": current.recommendations,
        }
        save_version(current, actor=by, object_type=SUMMARY, changes=changed_fields(before, after))
    return current


def summary_finalise(
    *, summary: DischargeSummary, by: User, version: int | None
) -> DischargeSummary:
    """Sign the summary as final: the facts it states are frozen as they stand now, and it is
    locked for good."""
    with transaction.atomic():
        current = (
            DischargeSummary.objects.select_for_update().select_related("client").get(pk=summary.pk)
        )
        if not may_move(current.status, SummaryStatus.FINAL):
            raise SummaryLocked(LOCKED_MESSAGE)
        check_record_version(
            current,
            version,
            object_type=SUMMARY,
            message="The discharge summary changed since you opened it. Read it again before "
            "signing.",
        )
        current.facts = queries.summary_facts(current.client, current.discharged_on)
        current.status = SummaryStatus.FINAL
        current.finalised_at = timezone.now()
        current.finalised_by = by
        current.signed_name = by.display_name[:LINE_LIMIT]
        save_version(
            current,
            actor=by,
            object_type=SUMMARY,
            changes={"status": [SummaryStatus.DRAFT.value, SummaryStatus.FINAL.value]},
        )
        timeline_add(
            client=current.client,
            kind=TimelineKind.DISCHARGE,
            summary=f"Discharge summary signed as final by {by.display_name}",
            actor=by,
        )
    return current


def summary_send(
    *,
    summary: DischargeSummary,
    by: User,
    recipient: str,
    is_health_care: bool,
    purpose: str,
    method: str,
    description: str = "",
    body: str = "",
) -> SummaryDisclosure:
    """Send a finalised summary out of the program: it passes the consent gate and is recorded
    as a disclosure, or nothing is sent and DisclosureRefused says what consent is needed."""
    errors: dict[str, str] = {}
    recipient = recipient.strip() if isinstance(recipient, str) else ""
    if problem := text_problem(recipient, max_length=LINE_LIMIT):
        errors["recipient"] = problem
    elif not recipient:
        errors["recipient"] = "Name the person or organisation who receives the summary."
    description = description.strip() if isinstance(description, str) else ""
    if problem := text_problem(description, max_length=DESCRIPTION_LIMIT):
        errors["description"] = problem
    if purpose not in Purpose.values:
        errors["purpose"] = "Choose why the summary is shared."
    if method not in DisclosureMethod.values:
        errors["method"] = "Choose how the summary is sent."
    if errors:
        raise ValidationError(errors)
    refused: DisclosureRefused | None = None
    with transaction.atomic():
        current = (
            DischargeSummary.objects.select_for_update().select_related("client").get(pk=summary.pk)
        )
        if not current.is_final:
            raise ValidationError("Only a final discharge summary is sent. Sign it first.")
        what = f"Discharge summary (discharge day {current.discharged_on.isoformat()})"
        try:
            disclosure = disclosure_record(
                client=current.client,
                by=by,
                recipient=Recipient(name=recipient, is_health_care=bool(is_health_care)),
                categories={InformationCategory.DISCHARGE},
                purpose=purpose,
                description=f"{what}: {description}" if description else what,
                method=method,
                body=body,
            )
        except DisclosureRefused as refusal:
            # The refusal's own audit row stays (a refused disclosure is a fact too); the refusal
            # is raised once it is committed.
            refused = refusal
        else:
            sent = SummaryDisclosure.objects.create(summary=current, disclosure=disclosure, by=by)
            audit_record(
                actor=by,
                action="create",
                client_id=current.client_id,
                object_type="discharge_summary_disclosure",
                object_id=sent.pk,
                changes={"summary": [None, current.pk], "disclosure": [None, disclosure.pk]},
            )
    if refused is not None:
        raise refused
    return sent

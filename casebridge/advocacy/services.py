"""Every change to an application: starting it, each status move the table allows (with its
reason and the day it happened), its deadlines, an insurance authorization's details, an appeal
of a denial, and documents sent to the agency or payer through the consent gate. One
transaction each, checked before saving, audited, on the client's timeline.

Keeping track of applications is the case manager's coordination work under the care plan, so it
needs the `plan` action (the client's case managers and supervisors; not coaches, and not intake,
whose reach ends when engagement does while an application runs for months). Sending documents
out of the program is a disclosure: it needs the `disclose` action, and a consent must cover that
information, that agency or payer and that purpose (consents.services.disclosure_record records
it, or refuses and says what is needed, and nothing is saved).
"""

from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from casebridge.access.policy import Action
from casebridge.accounts.models import User
from casebridge.advocacy.models import (
    AUTHORIZATION,
    Application,
    ApplicationDocument,
    ApplicationEvent,
    ApplicationKind,
    UnitKind,
)
from casebridge.advocacy.statuses import (
    DECIDED,
    FINAL,
    NEEDS_DETAIL,
    REASONS,
    THROUGH_APPEAL,
    ApplicationStatus,
    Reason,
    is_allowed,
    reason_problem,
)
from casebridge.assessments.biopsychosocial import LEVEL_NAMES
from casebridge.audit.services import audit_record
from casebridge.audit.versions import check_record_version, save_version
from casebridge.clients import services as client_services
from casebridge.clients.models import Client
from casebridge.clients.queries import user_may
from casebridge.consents.gate import Recipient
from casebridge.consents.models import DisclosureMethod, InformationCategory, Purpose
from casebridge.consents.services import DisclosureRefused, disclosure_record
from casebridge.inputs import EARLIEST_DATE, LATEST_DATE, text_problem

TIMELINE_KIND = "application"
OBJECT_TYPE = "application"
S = ApplicationStatus
# Deadlines and expected decisions are planned within this many days.
PLAN_AHEAD_DAYS = 2 * 366
LARGEST_UNITS = 1000  # a year of days, or of sessions, is far below it


def _may_keep(by: User, client: Client) -> None:
    if not user_may(by, client, Action.PLAN):
        raise ValidationError(
            "Only the client's case manager or a supervisor keeps track of applications."
        )


def _text(errors: dict[str, str], field: str, value: str, *, limit: int, required: str = "") -> str:
    value = (value or "").strip()
    problem = text_problem(value, max_length=limit)
    if problem:
        errors[field] = problem
    elif required and not value:
        errors[field] = required
    return value


def _ahead(errors: dict[str, str], field: str, day: date | None, what: str) -> None:
    """A date still to come: today or later, within two years."""
    if day is None:
        return
    if not isinstance(day, date) or day < timezone.localdate():
        errors[field] = f"{what} is today or later."
    elif day > timezone.localdate() + timedelta(days=PLAN_AHEAD_DAYS):
        errors[field] = f"{what} is within two years."


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _shown(value: Any) -> Any:
    """A field's value as the audit trail keeps it: dates as text, empty as null."""
    if isinstance(value, date):
        return value.isoformat()
    return value if value not in ("", None) else None


def _apply(current: Application, new: dict[str, Any]) -> dict[str, list[Any]]:
    """Set the fields that change and say how, {field: [before, after]}, for the audit trail."""
    changes = {}
    for field, value in new.items():
        before = getattr(current, field)
        if before != value:
            changes[field] = [_shown(before), _shown(value)]
            setattr(current, field, value)
    return changes


def _deadline(
    errors: dict[str, str],
    next_deadline_on: date | None,
    next_deadline_for: str,
    *,
    unchanged: date | None = None,
) -> str:
    """Check a deadline and what it is for; a day that has passed may stay as it was
    (`unchanged`), a new one is still to come."""
    next_deadline_for = _text(errors, "next_deadline_for", next_deadline_for, limit=200)
    if next_deadline_on is None or next_deadline_on != unchanged:
        _ahead(errors, "next_deadline_on", next_deadline_on, "The deadline")
    if next_deadline_on is not None and not next_deadline_for and "next_deadline_for" not in errors:
        errors["next_deadline_for"] = "Say what the deadline is for, e.g. send pay stubs."
    if next_deadline_on is None and next_deadline_for and "next_deadline_on" not in errors:
        errors["next_deadline_on"] = "Give the day it is due, or leave both empty."
    return next_deadline_for


def application_start(
    *,
    client: Client,
    by: User,
    kind: str,
    agency_name: str,
    kind_detail: str = "",
    agency_contact: str = "",
    reference_number: str = "",
    decision_expected_on: date | None = None,
    next_deadline_on: date | None = None,
    next_deadline_for: str = "",
    level_of_care: str = "",
    authorization_number: str = "",
) -> Application:
    """Something the client applies for, being prepared: the agency (or, for an insurance
    authorization, the payer and the level of care) and what is due first."""
    _may_keep(by, client)
    errors: dict[str, str] = {}
    if kind not in ApplicationKind.values:
        errors["kind"] = "Choose what the client applies for."
    kind_detail = _text(errors, "kind_detail", kind_detail, limit=200)
    if kind == ApplicationKind.OTHER and not kind_detail and "kind_detail" not in errors:
        errors["kind_detail"] = "Say what the client applies for."
    agency_name = _text(
        errors, "agency_name", agency_name, limit=200, required="Name the agency or the payer."
    )
    agency_contact = _text(errors, "agency_contact", agency_contact, limit=300)
    reference_number = _text(errors, "reference_number", reference_number, limit=100)
    authorization_number = _text(errors, "authorization_number", authorization_number, limit=100)
    next_deadline_for = _deadline(errors, next_deadline_on, next_deadline_for)
    _ahead(errors, "decision_expected_on", decision_expected_on, "The expected decision")
    if kind == AUTHORIZATION:
        if level_of_care not in LEVEL_NAMES:
            errors["level_of_care"] = "Choose the level of care the payer is asked to authorize."
    else:
        if level_of_care:
            errors["level_of_care"] = "Only an insurance authorization has a level of care."
        if authorization_number:
            errors["authorization_number"] = (
                "Only an insurance authorization has an authorization number; put the agency's "
                "number under case or reference number."
            )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        application = Application(
            client=client,
            kind=kind,
            kind_detail=kind_detail,
            agency_name=agency_name,
            agency_contact=agency_contact,
            reference_number=reference_number,
            decision_expected_on=decision_expected_on,
            next_deadline_on=next_deadline_on,
            next_deadline_for=next_deadline_for,
            level_of_care=level_of_care,
            authorization_number=authorization_number,
            created_by=by,
        )
        application.full_clean()
        application.save()
        audit_record(
            actor=by,
            action="create",
            client_id=client.pk,
            object_type=OBJECT_TYPE,
            object_id=application.pk,
            changes={
                "kind": [None, kind],
                "agency": [None, agency_name],
                "next_deadline_on": [None, _iso(next_deadline_on)],
            },
        )
        client_services.timeline_add(
            client=client,
            kind=TIMELINE_KIND,
            summary=f"{application.title}: application started with {agency_name}",
            actor=by,
        )
    return application


def _locked(application: Application, version: int | None) -> Application:
    current = (
        Application.objects.select_for_update().select_related("client").get(pk=application.pk)
    )
    check_record_version(current, version, object_type=OBJECT_TYPE)
    return current


def _move(
    current: Application,
    by: User,
    to_status: str,
    *,
    happened_on: date,
    reason: str = "",
    detail: str = "",
    changes: dict[str, Any] | None = None,
) -> None:
    """Record one move on a locked application and save it as its next version."""
    was = current.status
    ApplicationEvent.objects.create(
        application=current,
        from_status=was,
        to_status=to_status,
        reason=reason,
        detail=detail,
        happened_on=happened_on,
        by=by,
    )
    current.status = to_status
    current.status_reason = reason
    current.status_detail = detail
    if to_status == S.SUBMITTED:
        current.submitted_on = current.submitted_on or happened_on
    if to_status in DECIDED:
        current.decision_on = happened_on
        current.decision_expected_on = None
    if to_status in FINAL:
        current.closed_at = timezone.now()
        current.next_deadline_on = None
        current.next_deadline_for = ""
        current.appeal_by = None
    all_changes: dict[str, Any] = {"status": [was, to_status]}
    if reason:
        all_changes["reason"] = [None, reason]
    save_version(current, actor=by, object_type=OBJECT_TYPE, changes=all_changes | (changes or {}))
    summary = f"{current.title}: {S(to_status).label.lower()}"
    client_services.timeline_add(
        client=current.client, kind=TIMELINE_KIND, summary=summary, detail=detail, actor=by
    )


def _happened(errors: dict[str, str], happened_on: date | None) -> date:
    day = happened_on or timezone.localdate()
    if not isinstance(day, date) or day > timezone.localdate():
        errors["happened_on"] = "Record it once it has happened: give today or an earlier day."
    elif day < EARLIEST_DATE:
        errors["happened_on"] = "Check the year: give a date after 1900."
    return day


def application_move(
    *,
    application: Application,
    by: User,
    to_status: str,
    version: int,
    reason: str = "",
    detail: str = "",
    happened_on: date | None = None,
    next_deadline_on: date | None = None,
    next_deadline_for: str = "",
    decision_expected_on: date | None = None,
    appeal_by: date | None = None,
) -> Application:
    """One move of the status table, recorded with who, when and why: submitted (and when a
    decision is expected), more information requested (what, and by when), approved, denied (why,
    and the last day to appeal), withdrawn (why). The next deadline becomes the one given with the
    move (none when none is given). An appeal's decision moves the denial it contests with it."""
    _may_keep(by, application.client)
    errors: dict[str, str] = {}
    if to_status not in S.values:
        raise ValidationError({"to_status": "Choose what happened to the application."})
    if to_status == S.APPEALED:
        raise ValidationError({"to_status": "Start the appeal from the denied application."})
    detail = _text(errors, "detail", detail, limit=300)
    problem = reason_problem(to_status, reason, detail)
    if problem:
        on_detail = to_status in NEEDS_DETAIL or (
            reason == Reason.OTHER and reason in REASONS.get(to_status, frozenset())
        )
        errors["detail" if on_detail else "reason"] = problem
    if reason and to_status not in REASONS:
        errors["reason"] = "Only a denial or a withdrawal takes a reason."
    day = _happened(errors, happened_on)
    if to_status == S.MORE_INFO:
        next_deadline_for = next_deadline_for or detail[:200]
        if next_deadline_on is None:
            errors["next_deadline_on"] = "Give the day the agency needs it by."
    next_deadline_for = _deadline(errors, next_deadline_on, next_deadline_for)
    _ahead(errors, "decision_expected_on", decision_expected_on, "The expected decision")
    if decision_expected_on is not None and to_status not in {S.SUBMITTED, S.MORE_INFO}:
        errors["decision_expected_on"] = "A decision is expected only while the agency decides."
    if appeal_by is not None:
        if to_status != S.DENIED:
            errors["appeal_by"] = "Only a denial has a day to appeal by."
        elif appeal_by < day or appeal_by > day + timedelta(days=PLAN_AHEAD_DAYS):
            errors["appeal_by"] = "The last day to appeal comes after the denial, within two years."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        current = _locked(application, version)
        if (current.status, to_status) in THROUGH_APPEAL:
            raise ValidationError(
                {"to_status": "This application follows its appeal: record the appeal's decision."}
            )
        if not is_allowed(current.status, to_status):
            raise ValidationError(
                {
                    "to_status": (
                        f"An application that is {S(current.status).label.lower()} "
                        f"cannot become {S(to_status).label.lower()}."
                    )
                }
            )
        if to_status in DECIDED and current.submitted_on and day < current.submitted_on:
            raise ValidationError(
                {"happened_on": "A decision comes on or after the day it was submitted."}
            )
        if to_status == S.APPROVED and current.is_authorization:
            missing = not (
                current.authorization_number
                and current.approved_from
                and current.approved_to
                and current.units_approved
            )
            if missing:
                raise ValidationError(
                    {
                        "to_status": "Record the authorization number, the approved dates and "
                        "the units under Authorization first."
                    }
                )
        changes: dict[str, Any] = {}
        # Each step answers the deadline before it (the papers went in, the agency decided), so
        # the next deadline is the one given with the step, or none.
        if current.next_deadline_on != next_deadline_on:
            changes["next_deadline_on"] = [_iso(current.next_deadline_on), _iso(next_deadline_on)]
        current.next_deadline_on = next_deadline_on
        current.next_deadline_for = next_deadline_for
        if decision_expected_on is not None:
            changes["decision_expected_on"] = [
                _iso(current.decision_expected_on),
                _iso(decision_expected_on),
            ]
            current.decision_expected_on = decision_expected_on
        if to_status == S.DENIED:
            current.appeal_by = appeal_by
            changes["appeal_by"] = [None, _iso(appeal_by)]
        _move(
            current, by, to_status, happened_on=day, reason=reason, detail=detail, changes=changes
        )
        if current.appeal_of_id is not None and to_status in {S.APPROVED, S.DENIED, S.WITHDRAWN}:
            _follow_appeal(current, current.appeal_of_id, by, day)
    return current


def _follow_appeal(appeal: Application, original_id: int, by: User, day: date) -> None:
    """The denial an appeal contests follows its decision: approved, or denied again (which may be
    appealed again); a withdrawn appeal leaves the denial standing."""
    original = (
        Application.objects.select_for_update()
        .select_related("client")
        .filter(pk=original_id)
        .first()
    )
    if original is None or original.status != S.APPEALED:
        return
    outcome = {
        S.APPROVED: (S.APPROVED, "The appeal was approved."),
        S.DENIED: (S.DENIED, "The appeal was denied."),
        S.WITHDRAWN: (S.DENIED, "The appeal was withdrawn; the denial stands."),
    }
    to_status, detail = outcome[S(appeal.status)]
    reason = Reason.OTHER if to_status == S.DENIED else ""
    _move(original, by, to_status, happened_on=day, reason=reason, detail=detail)


def application_dates(
    *,
    application: Application,
    by: User,
    version: int,
    next_deadline_on: date | None = None,
    next_deadline_for: str = "",
    decision_expected_on: date | None = None,
    appeal_by: date | None = None,
) -> Application:
    """Set (or clear) the next deadline and what it is for, when a decision is expected, and the
    last day to appeal a denial (cleared when the client decides not to appeal)."""
    _may_keep(by, application.client)
    with transaction.atomic():
        current = _locked(application, version)
        # A date that has passed may stay as it was (the page offers it back unchanged while
        # another is edited); a new or changed one is still to come.
        errors: dict[str, str] = {}
        next_deadline_for = _deadline(
            errors, next_deadline_on, next_deadline_for, unchanged=current.next_deadline_on
        )
        if decision_expected_on != current.decision_expected_on:
            _ahead(errors, "decision_expected_on", decision_expected_on, "The expected decision")
        if appeal_by is not None and not EARLIEST_DATE <= appeal_by <= LATEST_DATE:
            errors["appeal_by"] = "Check the year."
        if errors:
            raise ValidationError(errors)
        if current.status in FINAL and (next_deadline_on or decision_expected_on or appeal_by):
            raise ValidationError(
                f"This application is {S(current.status).label.lower()}: it has no deadlines."
            )
        if decision_expected_on is not None and current.status in DECIDED | {S.APPEALED}:
            raise ValidationError(
                {"decision_expected_on": "The agency has decided; no decision is expected."}
            )
        may_appeal = current.status == S.DENIED or (
            current.appeal_of_id and current.status == S.PREPARING
        )
        if appeal_by is not None and not may_appeal:
            raise ValidationError(
                {"appeal_by": "Only a denial, or an appeal being prepared, has a day to appeal by."}
            )
        new = {
            "next_deadline_on": next_deadline_on,
            "next_deadline_for": next_deadline_for,
            "decision_expected_on": decision_expected_on,
            "appeal_by": appeal_by,
        }
        changes = _apply(current, new)
        if not changes:
            return current
        save_version(current, actor=by, object_type=OBJECT_TYPE, changes=changes)
    return current


def authorization_record(
    *,
    application: Application,
    by: User,
    version: int,
    level_of_care: str,
    authorization_number: str = "",
    approved_from: date | None = None,
    approved_to: date | None = None,
    units_approved: int | None = None,
    unit_kind: str = "",
    next_review_on: date | None = None,
) -> Application:
    """What the payer authorized: the number, the level of care, the dates and units approved and
    the next review (a concurrent review may extend it; each change is a new version)."""
    _may_keep(by, application.client)
    if not application.is_authorization:
        raise ValidationError("Only an insurance authorization has these details.")
    errors: dict[str, str] = {}
    if level_of_care not in LEVEL_NAMES:
        errors["level_of_care"] = "Choose the level of care the payer is asked to authorize."
    authorization_number = _text(errors, "authorization_number", authorization_number, limit=100)
    if approved_from and approved_to and approved_to < approved_from:
        errors["approved_to"] = "The last approved day comes on or after the first."
    if units_approved is not None and not 1 <= units_approved <= LARGEST_UNITS:
        errors["units_approved"] = f"Give a number of units from 1 to {LARGEST_UNITS}."
    if units_approved is not None and unit_kind not in UnitKind.values:
        errors["unit_kind"] = "Say what the units are: days, sessions or hours."
    if units_approved is None and unit_kind:
        errors["units_approved"] = "Give how many units were approved, or leave both empty."
    outside = next_review_on is not None and (
        (approved_from is not None and next_review_on < approved_from)
        or (approved_to is not None and next_review_on > approved_to)
    )
    if outside and "approved_to" not in errors:
        errors["next_review_on"] = "The next review falls within the approved dates."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        current = _locked(application, version)
        if current.status in FINAL - {S.APPROVED}:
            raise ValidationError("This authorization was withdrawn; it has nothing to record.")
        new = {
            "level_of_care": level_of_care,
            "authorization_number": authorization_number,
            "approved_from": approved_from,
            "approved_to": approved_to,
            "units_approved": units_approved,
            "unit_kind": unit_kind if units_approved is not None else "",
            "next_review_on": next_review_on,
        }
        changes = _apply(current, new)
        if not changes:
            return current
        save_version(current, actor=by, object_type=OBJECT_TYPE, changes=changes)
    return current


def appeal_start(
    *,
    application: Application,
    by: User,
    version: int,
    agency_name: str = "",
    agency_contact: str = "",
    reference_number: str = "",
    appeal_by: date | None = None,
) -> Application:
    """Appeal a denial: the appeal is an application of its own (the same kind, to the agency or
    a hearings office), prepared by the last day to appeal; the denial waits as appealed."""
    _may_keep(by, application.client)
    errors: dict[str, str] = {}
    agency_name = _text(errors, "agency_name", agency_name, limit=200)
    agency_contact = _text(errors, "agency_contact", agency_contact, limit=300)
    reference_number = _text(errors, "reference_number", reference_number, limit=100)
    if appeal_by is not None and not EARLIEST_DATE <= appeal_by <= LATEST_DATE:
        errors["appeal_by"] = "Check the year."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        current = _locked(application, version)
        if current.appeal_of_id:
            raise ValidationError(
                "Start the next appeal from the first application: it follows this appeal."
            )
        if current.status != S.DENIED:
            raise ValidationError("Only a denied application can be appealed.")
        deadline = appeal_by or current.appeal_by
        appeal = Application(
            client=current.client,
            kind=current.kind,
            kind_detail=current.kind_detail,
            agency_name=agency_name or current.agency_name,
            agency_contact=agency_contact or current.agency_contact,
            reference_number=reference_number or current.reference_number,
            appeal_of=current,
            appeal_by=deadline,
            level_of_care=current.level_of_care,
            created_by=by,
        )
        appeal.full_clean()
        appeal.save()
        audit_record(
            actor=by,
            action="create",
            client_id=current.client_id,
            object_type=OBJECT_TYPE,
            object_id=appeal.pk,
            changes={"appeal_of": [None, current.pk], "appeal_by": [None, _iso(deadline)]},
        )
        current.appeal_by = None
        _move(
            current,
            by,
            S.APPEALED,
            happened_on=timezone.localdate(),
            detail=f"Appeal to {appeal.agency_name}"[:300],
        )
    return appeal


def documents_send(
    *,
    application: Application,
    by: User,
    categories: list[str],
    description: str,
    method: str,
) -> ApplicationDocument:
    """Send documents to the agency or payer: the information passes the consent gate and is
    recorded as a disclosure (or nothing is sent and the refusal says what consent is needed).
    A payer is a health plan (a treatment, payment and operations consent may cover it); an
    agency deciding a benefit is not."""
    if not user_may(by, application.client, Action.DISCLOSE):
        raise ValidationError("Only the client's case manager or a supervisor sends documents.")
    errors: dict[str, str] = {}
    chosen = sorted(set(categories or []))
    if not chosen:
        errors["categories"] = "Choose the information that goes with the documents."
    elif any(category not in InformationCategory.values for category in chosen):
        errors["categories"] = "Choose the information from the list."
    description = _text(
        errors,
        "description",
        description,
        limit=300,
        required="Say what is sent, e.g. a letter confirming treatment dates.",
    )
    if method not in DisclosureMethod.values:
        errors["method"] = "Choose how the documents are sent."
    if errors:
        raise ValidationError(errors)
    refused: DisclosureRefused | None = None
    with transaction.atomic():
        current = (
            Application.objects.select_for_update().select_related("client").get(pk=application.pk)
        )
        if current.status == S.WITHDRAWN:
            raise ValidationError("This application was withdrawn; nothing is sent for it.")
        # Only the payer of an authorization is a health plan; an appeal goes to a hearings
        # office or a reviewer that is not, so a treatment/payment/operations consent does not
        # cover it and a consent naming that recipient is needed.
        payer = current.is_authorization and current.appeal_of_id is None
        try:
            disclosure = disclosure_record(
                client=current.client,
                by=by,
                recipient=Recipient(name=current.agency_name, is_health_care=payer),
                categories=set(chosen),
                purpose=Purpose.PAYMENT if payer else Purpose.BENEFITS,
                description=f"{current.title}: {description}"[:500],
                method=method,
            )
        except DisclosureRefused as refusal:
            # Nothing was saved but the refusal's own audit row, which this transaction keeps
            # (a refused disclosure is a fact too); the refusal is raised once it is committed.
            refused = refusal
        else:
            document = ApplicationDocument.objects.create(
                application=current, disclosure=disclosure, by=by
            )
            audit_record(
                actor=by,
                action="create",
                client_id=current.client_id,
                object_type="application_document",
                object_id=document.pk,
                changes={"application": [None, current.pk], "disclosure": [None, disclosure.pk]},
            )
    if refused is not None:
        raise refused
    return document

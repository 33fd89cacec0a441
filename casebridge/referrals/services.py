"""Every change to a referral: drafting, sending through the consent gate, each status move the
table allows (with its reason), the follow-up log, and closing the loop with an outcome. One
transaction each, checked before saving, audited, on the client's timeline.

Sending out of the program is a disclosure: it needs the `disclose` action, and when information
goes with the referral a consent must cover that information, that recipient and that purpose
(consents.services.disclosure_record records it, or refuses and says what is needed).
"""

from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from casebridge.access.policy import Action
from casebridge.accounts.models import User
from casebridge.audit.services import audit_record
from casebridge.audit.versions import check_record_version, save_version
from casebridge.clients import services as client_services
from casebridge.clients.extensions import due_changed
from casebridge.clients.models import Client
from casebridge.clients.queries import user_may
from casebridge.consents.gate import Recipient
from casebridge.consents.models import DisclosureMethod, InformationCategory, Purpose
from casebridge.consents.services import DisclosureRefused, disclosure_record
from casebridge.inputs import EARLIEST_DATE, text_problem
from casebridge.plans.models import Goal, Intervention
from casebridge.plans.statuses import PlanStatus
from casebridge.referrals.models import (
    Channel,
    Outcome,
    Referral,
    ReferralCommunication,
    ReferralEvent,
    ReferralRules,
    Urgency,
)
from casebridge.referrals.packet import packet_snapshot
from casebridge.referrals.statuses import (
    FINAL,
    REASONS,
    Reason,
    ReferralStatus,
    is_allowed,
    reason_problem,
)

TIMELINE_KIND = "referral"
OBJECT_TYPE = "referral"
# How soon the first follow-up falls after sending, by urgency, and how long a provider has to
# answer, where a program has set no ReferralRules of its own.
DEFAULT_RULES = ReferralRules(
    answer_within_days=7, follow_up_urgent_days=1, follow_up_soon_days=3, follow_up_routine_days=7
)


def rules_for(client: Client) -> ReferralRules:
    """The referral rules of the client's program, or the defaults."""
    found = ReferralRules.objects.filter(program_id=client.program_id).first()
    return found or DEFAULT_RULES


def first_follow_up_days(rules: ReferralRules, urgency: str) -> int:
    return {
        Urgency.URGENT: rules.follow_up_urgent_days,
        Urgency.SOON: rules.follow_up_soon_days,
    }.get(Urgency(urgency), rules.follow_up_routine_days)


def _may_refer(by: User, client: Client) -> None:
    if not user_may(by, client, Action.DISCLOSE):
        raise ValidationError("Only the client's case manager or a supervisor makes referrals.")


def _text(errors: dict[str, str], field: str, value: str, *, limit: int, required: str = "") -> str:
    value = (value or "").strip()
    problem = text_problem(value, max_length=limit, multiline=field in {"reason"})
    if problem:
        errors[field] = problem
    elif required and not value:
        errors[field] = required
    return value


def _follow_up(errors: dict[str, str], day: date | None) -> None:
    if day is None:
        return
    if not isinstance(day, date) or day < timezone.localdate():
        errors["next_follow_up_on"] = "A follow-up is planned for today or later."
    elif day > timezone.localdate() + timedelta(days=366):
        errors["next_follow_up_on"] = "Plan a follow-up within a year."


def _label(referral: Referral) -> str:
    return referral.service_name or referral.provider_name


def referral_draft(
    *,
    client: Client,
    by: User,
    provider_name: str,
    reason: str,
    service: Any = None,
    service_name: str = "",
    provider_contact: str = "",
    need_domain: str = "",
    goal: Goal | None = None,
    urgency: str = Urgency.ROUTINE,
    information: list[str] | None = None,
    plan_action: Intervention | None = None,
) -> Referral:
    """A referral not yet sent: to a service of the directory (its provider and name are kept
    as words too) or to a provider named by hand. Made for an action of the plan in effect, it
    serves that action's goal and the plan shows it under both."""
    _may_refer(by, client)
    errors: dict[str, str] = {}
    if service is not None:
        if service.organisation_id != client.organisation_id:
            errors["service"] = "Choose a service from your agency's directory."
        else:
            provider_name = provider_name or (service.provider.name if service.provider else "")
            service_name = service_name or service.name
    provider_name = _text(
        errors,
        "provider_name",
        provider_name,
        limit=200,
        required="Name the provider, or choose a service from the directory.",
    )
    service_name = _text(errors, "service_name", service_name, limit=200)
    provider_contact = _text(errors, "provider_contact", provider_contact, limit=300)
    reason = _text(errors, "reason", reason, limit=2000, required="Say why the client is referred.")
    if urgency not in Urgency.values:
        errors["urgency"] = "Choose how soon the client needs it."
    information = sorted(set(information or []))
    if any(category not in InformationCategory.values for category in information):
        errors["information"] = "Choose the information from the list."
    if plan_action is not None:
        if plan_action.plan.client_id != client.pk or plan_action.plan.status != PlanStatus.ACTIVE:
            errors["plan_action"] = "Choose an action of the care plan in effect."
        elif goal is None:
            goal = plan_action.goal
        elif goal.pk != plan_action.goal_id:
            errors["goal"] = "The plan action serves another goal; choose that goal or none."
    if goal is not None and goal.plan.client_id != client.pk:
        errors["goal"] = "Choose a goal of this client's care plan."
    if goal is not None and not need_domain:
        need_domain = goal.problem.need_domain if goal.problem_id else ""
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        referral = Referral(
            client=client,
            service=service,
            provider_name=provider_name,
            service_name=service_name[:200],
            provider_contact=provider_contact,
            need_domain=need_domain,
            goal=goal,
            urgency=urgency,
            reason=reason,
            information=information,
            plan_action_key=plan_action.key if plan_action is not None else None,
            created_by=by,
        )
        referral.full_clean()
        referral.save()
        audit_record(
            actor=by,
            action="create",
            client_id=client.pk,
            object_type=OBJECT_TYPE,
            object_id=referral.pk,
            changes={
                "provider": [None, provider_name],
                "service": [None, service_name],
                "urgency": [None, urgency],
                "information": [None, information],
            },
        )
    return referral


def _event(
    referral: Referral,
    by: User | None,
    to_status: str,
    *,
    reason: str = "",
    detail: str = "",
    for_provider: bool = False,
) -> None:
    ReferralEvent.objects.create(
        referral=referral,
        from_status=referral.status,
        to_status=to_status,
        reason=reason,
        detail=detail,
        by=by,
        for_provider=for_provider,
    )


def _locked(referral: Referral, version: int | None) -> Referral:
    current = Referral.objects.select_for_update().select_related("client").get(pk=referral.pk)
    check_record_version(current, version, object_type=OBJECT_TYPE)
    return current


def referral_send(
    *, referral: Referral, by: User, version: int, method: str = DisclosureMethod.PHONE
) -> Referral:
    """Send a draft: the information that goes with it passes the consent gate and is recorded
    as a disclosure (or nothing is sent and the refusal says what consent is needed)."""
    _may_refer(by, referral.client)
    if method not in DisclosureMethod.values:
        raise ValidationError({"method": "Choose how the referral is sent."})
    refused: DisclosureRefused | None = None
    with transaction.atomic():
        current = _locked(referral, version)
        if not is_allowed(current.status, ReferralStatus.REQUESTED):
            raise ValidationError("This referral was already sent.")
        if current.information:
            try:
                current.disclosure = disclosure_record(
                    client=current.client,
                    by=by,
                    recipient=Recipient(name=current.provider_name, is_health_care=False),
                    categories=set(current.information),
                    purpose=Purpose.TREATMENT,
                    description=f"Referral to {_label(current)}: {current.reason}"[:500],
                    method=method,
                )
            except DisclosureRefused as refusal:
                # Nothing is sent, but the refusal's own audit row stays (a refused disclosure
                # is a fact too); the refusal is raised once that is committed.
                refused = refusal
            else:
                current.packet = packet_snapshot(current, sorted(current.information))
        if refused is None:
            _event(current, by, ReferralStatus.REQUESTED)
            now = timezone.now()
            current.status = ReferralStatus.REQUESTED
            current.sent_at = now
            rules = rules_for(current.client)
            today = timezone.localdate()
            current.answer_due_on = today + timedelta(days=rules.answer_within_days)
            current.next_follow_up_on = today + timedelta(
                days=first_follow_up_days(rules, current.urgency)
            )
            save_version(
                current,
                actor=by,
                object_type=OBJECT_TYPE,
                changes={"status": [ReferralStatus.DRAFT.value, ReferralStatus.REQUESTED.value]},
            )
            client_services.timeline_add(
                client=current.client,
                kind=TIMELINE_KIND,
                summary=f"Referral sent to {_label(current)}",
                actor=by,
            )
    if refused is not None:
        raise refused
    return current


def move_problems(
    errors: dict[str, str],
    *,
    to_status: str,
    reason: str,
    detail: str,
    outcome: str,
    outcome_note: str,
) -> tuple[str, str]:
    """What is wrong with a move as typed (into `errors`), whoever makes it: the reason the
    table asks for, what came of a completed referral. Returns the detail and the outcome note
    trimmed."""
    detail = _text(errors, "detail", detail, limit=300)
    problem = reason_problem(to_status, reason, detail)
    if problem:
        other = reason == Reason.OTHER and reason in REASONS.get(to_status, frozenset())
        errors["detail" if other else "reason"] = problem
    if to_status == ReferralStatus.COMPLETED:
        if outcome not in Outcome.values:
            errors["outcome"] = "Say what came of the referral."
        elif outcome == Outcome.OTHER and not (outcome_note or "").strip():
            errors["outcome_note"] = "Say what came of it."
    outcome_note = _text(errors, "outcome_note", outcome_note, limit=300)
    return detail, outcome_note


def move_apply(
    current: Referral,
    *,
    to_status: str,
    by: User | None,
    for_provider: bool,
    reason: str = "",
    detail: str = "",
    outcome: str = "",
    outcome_note: str = "",
    next_follow_up_on: date | None = None,
) -> dict[str, Any]:
    """Make an allowed move on a locked referral: its event (who, from, to, why) and the dates
    it sets. The caller saves the referral and audits the changes this returns."""
    was = current.status
    _event(current, by, to_status, reason=reason, detail=detail, for_provider=for_provider)
    now = timezone.now()
    current.status = to_status
    current.status_reason = reason
    current.status_detail = detail
    if to_status in {ReferralStatus.ACCEPTED, ReferralStatus.REJECTED}:
        current.answered_at = current.answered_at or now
    if to_status in {ReferralStatus.IN_PROGRESS, ReferralStatus.COMPLETED}:
        current.connected_at = current.connected_at or now
    if to_status in FINAL:
        current.closed_at = now
        current.next_follow_up_on = None
    elif next_follow_up_on is not None:
        current.next_follow_up_on = next_follow_up_on
    if to_status == ReferralStatus.COMPLETED:
        current.outcome = outcome
        current.outcome_note = outcome_note
    changes: dict[str, Any] = {"status": [was, to_status]}
    if reason:
        changes["reason"] = [None, reason]
    if outcome:
        changes["outcome"] = [None, outcome]
    return changes


def move_summary(current: Referral) -> str:
    """The timeline's line for the move just made."""
    summary = f"Referral to {_label(current)}: {ReferralStatus(current.status).label.lower()}"
    if current.status == ReferralStatus.COMPLETED:
        summary += f" ({Outcome(current.outcome).label.lower()})"
    return summary


def referral_move(
    *,
    referral: Referral,
    by: User,
    to_status: str,
    version: int,
    reason: str = "",
    detail: str = "",
    for_provider: bool = False,
    outcome: str = "",
    outcome_note: str = "",
    next_follow_up_on: date | None = None,
) -> Referral:
    """One move of the status table, recorded with who, when and why. `for_provider` records an
    answer the provider gave (by phone, fax or letter): only the provider's moves are allowed
    then. Completing it records what came of it."""
    _may_refer(by, referral.client)
    errors: dict[str, str] = {}
    if to_status not in ReferralStatus.values:
        raise ValidationError({"to_status": "Choose what happened to the referral."})
    if to_status == ReferralStatus.REQUESTED:
        # Sending goes through referral_send, which passes the consent gate.
        raise ValidationError({"to_status": "Send the referral from its page."})
    detail, outcome_note = move_problems(
        errors,
        to_status=to_status,
        reason=reason,
        detail=detail,
        outcome=outcome,
        outcome_note=outcome_note,
    )
    _follow_up(errors, next_follow_up_on)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        current = _locked(referral, version)
        if not is_allowed(current.status, to_status, by_provider=for_provider):
            raise ValidationError(
                {
                    "to_status": (
                        f"A referral that is {ReferralStatus(current.status).label.lower()} "
                        f"cannot become {ReferralStatus(to_status).label.lower()}."
                    )
                }
            )
        changes = move_apply(
            current,
            to_status=to_status,
            by=by,
            for_provider=for_provider,
            reason=reason,
            detail=detail,
            outcome=outcome,
            outcome_note=outcome_note,
            next_follow_up_on=next_follow_up_on,
        )
        save_version(current, actor=by, object_type=OBJECT_TYPE, changes=changes)
        client_services.timeline_add(
            client=current.client,
            kind=TIMELINE_KIND,
            summary=move_summary(current),
            detail=detail,
            actor=by,
        )
    return current


def communication_record(
    *,
    referral: Referral,
    by: User,
    channel: str,
    with_whom: str,
    summary: str,
    happened_at: Any,
    next_follow_up_on: date | None = None,
) -> ReferralCommunication:
    """A call, email, fax, visit or letter about the referral; it may set the next follow-up."""
    _may_refer(by, referral.client)
    errors: dict[str, str] = {}
    if channel not in Channel.values:
        errors["channel"] = "Choose how you were in touch."
    with_whom = _text(
        errors, "with_whom", with_whom, limit=200, required="Say who you were in touch with."
    )
    summary = _text(errors, "summary", summary, limit=500, required="Say what was said.")
    now = timezone.now()
    if happened_at is None or happened_at > now + timedelta(minutes=5):
        errors["happened_at"] = "Record it once it has happened. Check the date and time."
    elif timezone.localdate(happened_at) < EARLIEST_DATE:
        errors["happened_at"] = "Check the year: give a date after 1900."
    _follow_up(errors, next_follow_up_on)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        current = Referral.objects.select_for_update().get(pk=referral.pk)
        if current.status in FINAL and next_follow_up_on is not None:
            raise ValidationError(
                {"next_follow_up_on": "This referral is closed; it needs no follow-up."}
            )
        entry = ReferralCommunication(
            referral=current,
            channel=channel,
            with_whom=with_whom,
            summary=summary,
            happened_at=happened_at,
            by=by,
        )
        entry.full_clean()
        entry.save()
        if next_follow_up_on is not None:
            Referral.objects.filter(pk=current.pk).update(next_follow_up_on=next_follow_up_on)
            due_changed([current.client_id])
        audit_record(
            actor=by,
            action="create",
            client_id=current.client_id,
            object_type="referral_communication",
            object_id=entry.pk,
            changes={"channel": [None, channel], "with": [None, with_whom]},
        )
    return entry

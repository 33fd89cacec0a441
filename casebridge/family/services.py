"""Changes to intervention plans: each one transaction, checked before saving, audited (the
person of concern is not a client, so the audit row names the plan; once they are, the client
too). Who may: family.access."""

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from casebridge.access.policy import principal_of
from casebridge.accounts.models import Program, Role, User
from casebridge.audit.services import audit_record
from casebridge.audit.versions import check_version
from casebridge.clients.models import Client, Collateral, ReferralSource
from casebridge.clients.queries import user_may
from casebridge.clients.services import client_register, collateral_add, timeline_add
from casebridge.directory.models import Service
from casebridge.family.access import may_read_plan, may_start_plans
from casebridge.family.models import (
    ADMITTED,
    OUTCOME_MOVES,
    EducationSession,
    FamilyContact,
    GroupVisit,
    InterventionPlan,
    Outcome,
    Participant,
)
from casebridge.referrals.services import referral_draft

OBJECT_TYPE = "intervention_plan"
TIMELINE_KIND = "intervention"
FAMILY_KIND = "family"
PLAN_FIELDS = ("held_at", "place", "transport", "if_refused", "service", "admission_on")
PARTICIPANT_FIELDS = ("name", "relationship", "phone", "task", "boundary", "letter")
TEAM_ROLES = (Role.CASE_MANAGER, Role.SUPERVISOR, Role.INTAKE, Role.COACH)


class NotYours(ValidationError):
    pass


def _may_change(by: User, plan: InterventionPlan) -> None:
    principal = principal_of(by)
    if principal is None or not may_read_plan(principal, plan):
        raise NotYours("This plan is not yours to change.")


def _audit(
    by: User,
    action: str,
    plan: InterventionPlan,
    changes: dict[str, Any],
    what: str = "",
    object_id: int | None = None,
) -> None:
    audit_record(
        actor=by,
        action=action,
        client_id=plan.client_id,
        organisation_id=plan.organisation_id,
        object_type=what or OBJECT_TYPE,
        object_id=object_id if object_id is not None else plan.pk,
        changes=changes | ({"plan": [None, plan.pk]} if object_id is not None else {}),
    )


def _value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "pk"):
        return value.pk
    return value


def plan_start(
    *,
    by: User,
    program: Program,
    first_name: str,
    last_name: str,
    concern: str,
    asked_by: str,
    date_of_birth: date | None = None,
    phone: str = "",
) -> InterventionPlan:
    """A family asks for help: the plan starts with the person of concern and who asked."""
    if not may_start_plans(by):
        raise ValidationError("Your role cannot start intervention plans.")
    if program.organisation_id != by.organisation_id or not by.programs.filter(pk=program.pk):
        raise ValidationError({"program": "Choose one of the programs you work in."})
    if date_of_birth is not None and date_of_birth >= timezone.localdate():
        raise ValidationError({"date_of_birth": "The date of birth must be in the past."})
    with transaction.atomic():
        plan = InterventionPlan(
            organisation_id=by.organisation_id,
            program=program,
            lead=by,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            date_of_birth=date_of_birth,
            phone=phone.strip(),
            concern=concern.strip(),
            asked_by=asked_by.strip(),
            created_by=by,
        )
        plan.full_clean()
        plan.save()
        _audit(by, "create", plan, {"program": [None, program.pk]})
    return plan


def plan_update(
    *, plan: InterventionPlan, by: User, version: int, team: Any = None, **fields: Any
) -> InterventionPlan:
    """The day, the place, transport, the reserved treatment place, what happens if the answer
    is no, and who else is on the planning team."""
    _may_change(by, plan)
    if set(fields) - set(PLAN_FIELDS):
        raise ValueError("Unknown plan field.")
    errors: dict[str, str] = {}
    service: Service | None = fields.get("service")
    if service is not None and service.organisation_id != plan.organisation_id:
        errors["service"] = "Choose a service from your agency's directory."
    members = list(team) if team is not None else None
    if members is not None and any(
        m.organisation_id != plan.organisation_id
        or m.role not in TEAM_ROLES
        or not m.programs.filter(pk=plan.program_id).exists()
        for m in members
    ):
        errors["team"] = "Choose staff of the plan's program."
    with transaction.atomic():
        current = InterventionPlan.objects.select_for_update().get(pk=plan.pk)
        check_version(
            current=current.version,
            version=version,
            client_id=current.client_id,
            object_type=OBJECT_TYPE,
            object_id=current.pk,
        )
        if current.outcome != Outcome.PLANNING:
            raise ValidationError("The day is over: the plan can no longer change.")
        held_at = fields.get("held_at")
        if held_at is not None and held_at != current.held_at and held_at < timezone.now():
            errors["held_at"] = "Choose a day and time from now on."
        admission_on = fields.get("admission_on")
        if (
            admission_on is not None
            and held_at is not None
            and admission_on < timezone.localdate(held_at)
        ):
            errors["admission_on"] = "The admission comes on or after the day."
        if errors:
            raise ValidationError(errors)
        changes = {
            name: [_value(getattr(current, name)), _value(value)]
            for name, value in fields.items()
            if getattr(current, name) != value
        }
        for name, value in fields.items():
            setattr(current, name, value)
        current.version += 1
        current.full_clean()
        current.save()
        if members is not None:
            had = sorted(current.team.values_list("pk", flat=True))
            now = sorted(m.pk for m in members)
            if had != now:
                # The team reads the letters: only the lead decides who is on it, so nobody
                # who reads the plan can give themselves the letters.
                if by.pk != current.lead_id:
                    raise ValidationError({"team": "Only the plan's lead changes the team."})
                current.team.set(members)
                changes["team"] = [had, now]
        _audit(by, "update", current, {**changes, "version": [version, current.version]})
    return current


def participant_add(*, plan: InterventionPlan, by: User, **fields: Any) -> Participant:
    _may_change(by, plan)
    if plan.outcome != Outcome.PLANNING:
        raise ValidationError("The day is over: the plan can no longer change.")
    with transaction.atomic():
        person = Participant(plan=plan, **{k: v for k, v in fields.items() if k != "version"})
        person.full_clean()
        person.save()
        _audit(
            by,
            "create",
            plan,
            {"name": [None, person.name], "relationship": [None, person.relationship]},
            what="intervention_participant",
            object_id=person.pk,
        )
    return person


def participant_update(
    *, participant: Participant, by: User, version: int, **fields: Any
) -> Participant:
    """A participant's part: their task on the day, their boundary, their letter. What changed
    is audited by name only: the letter's words stay out of the trail."""
    plan = participant.plan
    _may_change(by, plan)
    if set(fields) - set(PARTICIPANT_FIELDS):
        raise ValueError("Unknown participant field.")
    with transaction.atomic():
        outcome = InterventionPlan.objects.select_for_update().values_list("outcome", flat=True)
        if outcome.get(pk=plan.pk) != Outcome.PLANNING:
            raise ValidationError("The day is over: the plan can no longer change.")
        current = Participant.objects.select_for_update().get(pk=participant.pk)
        check_version(
            current=current.version,
            version=version,
            client_id=plan.client_id,
            object_type="intervention_participant",
            object_id=current.pk,
        )
        changed = sorted(name for name, value in fields.items() if getattr(current, name) != value)
        for name, value in fields.items():
            setattr(current, name, value)
        current.version += 1
        current.full_clean()
        current.save()
        _audit(
            by,
            "update",
            plan,
            {"changed": [None, changed], "version": [version, current.version]},
            what="intervention_participant",
            object_id=current.pk,
        )
    return current


def session_record(
    *, plan: InterventionPlan, by: User, held_on: date, topic: str, attended: str, notes: str = ""
) -> EducationSession:
    _may_change(by, plan)
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": "Record a session once it has happened."})
    with transaction.atomic():
        session = EducationSession(
            plan=plan,
            held_on=held_on,
            topic=topic,
            attended=attended.strip(),
            notes=notes.strip(),
            recorded_by=by,
        )
        session.full_clean()
        session.save()
        _audit(
            by,
            "create",
            plan,
            {"topic": [None, topic], "held_on": [None, held_on.isoformat()]},
            what="intervention_session",
        )
    return session


def outcome_record(
    *,
    plan: InterventionPlan,
    by: User,
    version: int,
    outcome: str,
    outcome_on: date,
    note: str = "",
    date_of_birth: date | None = None,
    confirm_new_person: bool = False,
) -> InterventionPlan:
    """How it went. When the person accepts (on the day or later), they become a client in
    Engagement in the plan's program, with what the plan knows carried over: their name, date
    of birth and phone, the family as contacts, who asked as the referral source, the family's
    words as the concern, and a referral to the reserved treatment place. All or nothing."""
    _may_change(by, plan)
    if outcome_on > timezone.localdate():
        raise ValidationError({"outcome_on": "The outcome's date cannot be in the future."})
    with transaction.atomic():
        current = InterventionPlan.objects.select_for_update().get(pk=plan.pk)
        check_version(
            current=current.version,
            version=version,
            client_id=current.client_id,
            object_type=OBJECT_TYPE,
            object_id=current.pk,
        )
        if outcome not in OUTCOME_MOVES.get(current.outcome, frozenset()):
            raise ValidationError(
                {"outcome": f"A plan that is “{current.get_outcome_display()}” cannot move there."}
            )
        before = current.outcome
        current.outcome = outcome
        current.outcome_on = outcome_on
        current.outcome_note = note.strip()
        current.version += 1
        if outcome in ADMITTED:
            current.client = _admit(
                current, by, date_of_birth or current.date_of_birth, confirm_new_person
            )
            current.date_of_birth = current.client.date_of_birth
        current.full_clean()
        current.save()
        _audit(
            by,
            "update",
            current,
            {
                "outcome": [before, outcome],
                "client": [None, current.client_id],
                "version": [version, current.version],
            },
        )
    return current


def _admit(
    plan: InterventionPlan, by: User, date_of_birth: date | None, confirm_new_person: bool
) -> Client:
    if not may_start_plans(by):
        raise ValidationError("Your role cannot register clients: ask the plan's lead.")
    if date_of_birth is None:
        raise ValidationError(
            {"date_of_birth": "Give the person's date of birth to register them."}
        )
    client = client_register(
        by=by,
        confirm_new_person=confirm_new_person,
        program=plan.program,
        legal_first_name=plan.first_name,
        legal_last_name=plan.last_name,
        date_of_birth=date_of_birth,
        phone=plan.phone,
        referral_source=ReferralSource.FAMILY,
        referral_source_detail=f"Intervention plan, asked by {plan.asked_by}"[:200],
        case_management_model=plan.program.default_model,
    )
    for person in plan.people.all():
        # The family become contacts; their letters and boundaries stay with the plan.
        collateral_add(
            client=client,
            by=by,
            name=person.name,
            relationship=person.relationship,
            phone=person.phone,
            notes=f"Took part in the intervention: {person.task}" if person.task else "",
        )
    timeline_add(
        client=client,
        kind=TIMELINE_KIND,
        summary="Came in through an intervention the family planned",
        detail=plan.concern,
        actor=by,
        needs_action="read_clinical",
    )
    if plan.service is not None and user_may(by, client, "disclose"):
        when = (
            f" for admission on {plan.admission_on:%b} {plan.admission_on.day}"
            if plan.admission_on
            else ""
        )
        referral_draft(
            client=client,
            by=by,
            # The directory's provider when the service has one, else the service's own name.
            provider_name="" if plan.service.provider_id else plan.service.name,
            service=plan.service,
            reason=f"A treatment place reserved in advance{when}.",
        )
    return client


# Family involvement with a client: contacts and the family's own groups


def _may_record(by: User, client: Client) -> None:
    if not user_may(by, client, "record_contact"):
        raise ValidationError("Your role cannot record contacts for this client.")


def family_contact_record(
    *,
    client: Client,
    by: User,
    held_on: date,
    kind: str,
    people: Any,
    about: str,
    outcome: str = "",
) -> FamilyContact:
    """A contact with the family, with who took part (contacts on the client's record)."""
    _may_record(by, client)
    present = list(people)
    errors: dict[str, str] = {}
    if held_on > timezone.localdate():
        errors["held_on"] = "Record a contact once it has happened."
    if not present:
        errors["people"] = "Tick who took part."
    elif any(p.client_id != client.pk for p in present):
        errors["people"] = "Choose among the client's contacts."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        contact = FamilyContact(
            client=client,
            held_on=held_on,
            kind=kind,
            about=about.strip(),
            outcome=outcome.strip(),
            recorded_by=by,
        )
        contact.full_clean()
        contact.save()
        contact.people.set(present)
        audit_record(
            actor=by,
            action="create",
            client_id=client.pk,
            object_type="family_contact",
            object_id=contact.pk,
            changes={"kind": [None, kind], "people": [None, sorted(p.pk for p in present)]},
        )
        timeline_add(
            client=client,
            kind=FAMILY_KIND,
            summary=f"{contact.get_kind_display()} with " + ", ".join(p.name for p in present),
            detail=contact.about,
            actor=by,
            needs_action="read_clinical",
        )
    return contact


def group_visit_record(
    *, collateral: Collateral, by: User, kind: str, attended_on: date, note: str = ""
) -> GroupVisit:
    """A family member went to an education or support group of their own."""
    _may_record(by, collateral.client)
    if attended_on > timezone.localdate():
        raise ValidationError({"attended_on": "Record a group once it has happened."})
    with transaction.atomic():
        visit = GroupVisit(
            collateral=collateral,
            kind=kind,
            attended_on=attended_on,
            note=note.strip(),
            recorded_by=by,
        )
        visit.full_clean()
        visit.save()
        audit_record(
            actor=by,
            action="create",
            client_id=collateral.client_id,
            object_type="family_group_visit",
            object_id=visit.pk,
            changes={"kind": [None, kind], "collateral": [None, collateral.pk]},
        )
    return visit

"""Every write to a client's record: registration, edits, stage moves, assignment, collaterals,
flags and emergency access. Each runs in one transaction, validates before saving, audits the
change and tells the timeline.
"""

from collections.abc import Callable
from copy import copy
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Model
from django.utils import timezone

from casebridge.access.policy import Action, may_register_clients
from casebridge.access.refusals import refusal_record
from casebridge.access.services import break_glass_grant
from casebridge.accounts.models import Organisation, Program, Role, User
from casebridge.audit.services import audit_record, changed_fields
from casebridge.audit.versions import check_version
from casebridge.clients import stages
from casebridge.clients.extensions import conclude, timeline_kind
from casebridge.clients.models import (
    AssignmentChange,
    AssignmentRole,
    Client,
    ClientFlag,
    Collateral,
    StageChange,
    TimelineEntry,
    TimelineKind,
)
from casebridge.clients.queries import possible_duplicates

# The fields a person edits on the client's details form (stage and staff have their own flows).
CLIENT_DETAIL_FIELDS = [
    "legal_first_name",
    "legal_last_name",
    "preferred_name",
    "pronouns",
    "date_of_birth",
    "phone",
    "email",
    "address",
    "preferred_language",
    "emergency_contact_name",
    "emergency_contact_phone",
    "referral_source",
    "referral_source_detail",
    "primary_substances",
    "case_management_model",
    "goals_in_own_words",
]
# Registration also places the client in a program; after that the program changes only with a
# level of care (an admission to one of the organisation's programs), never by an edit.
CLIENT_REGISTRATION_FIELDS = [*CLIENT_DETAIL_FIELDS, "program"]
COLLATERAL_FIELDS = [
    "name",
    "relationship",
    "organisation_name",
    "phone",
    "email",
    "notes",
]


class DuplicateClientError(Exception):
    """Registration found people with the same name and date of birth; ask before adding."""

    def __init__(self, duplicates: list[Client]) -> None:
        super().__init__("A client with this name and date of birth is already registered.")
        self.duplicates = duplicates


def field_label(name: str) -> str:
    """The human label of a client field, for timeline entries and conflict messages."""
    return str(getattr(Client._meta.get_field(name), "verbose_name", name))


def _value(value: Any) -> Any:
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def _snapshot(instance: Model, fields: list[str]) -> dict[str, Any]:
    return {name: _value(getattr(instance, name)) for name in fields}


def _check_version(instance: Client | Collateral, version: int, object_type: str) -> None:
    check_version(
        current=instance.version,
        version=version,
        client_id=instance.pk if isinstance(instance, Client) else instance.client_id,
        object_type=object_type,
        object_id=instance.pk,
    )


def timeline_add(
    *,
    client: Client,
    kind: str,
    summary: str,
    actor: User | None,
    detail: str = "",
    needs_action: str | None = None,
) -> None:
    """Tell the client's timeline what happened (capabilities built on clients use this too).

    The entry needs its kind's action to be seen unless `needs_action` asks for another.
    """
    registered = timeline_kind(kind)
    TimelineEntry.objects.create(
        client=client,
        kind=registered.code,
        needs_action=needs_action or registered.needs_action,
        summary=summary[:300],
        detail=detail,
        actor=actor,
    )


def _timeline(
    client: Client, kind: str, summary: str, actor: User | None, detail: str = ""
) -> None:
    timeline_add(client=client, kind=kind, summary=summary, actor=actor, detail=detail)


def _next_case_number(organisation: Organisation) -> str:
    Organisation.objects.filter(pk=organisation.pk).update(
        last_case_sequence=F("last_case_sequence") + 1
    )
    sequence = Organisation.objects.values_list("last_case_sequence", flat=True).get(
        pk=organisation.pk
    )
    year = timezone.localdate().year
    return f"{organisation.case_number_prefix}-{year}-{sequence:05d}"


def client_register(*, by: User, confirm_new_person: bool = False, **fields: Any) -> Client:
    """Register a new client in Engagement; a case manager registering becomes the primary."""
    if not may_register_clients(by):
        raise ValidationError("Your role cannot register clients.")
    program: Program = fields["program"]
    if (
        program.organisation_id != by.organisation_id
        or not by.programs.filter(pk=program.pk).exists()
    ):
        raise ValidationError({"program": "Choose one of the programs you work in."})
    with transaction.atomic():
        # Registrations in one organisation take turns: the duplicate check and the new row are
        # one step, so the same person posted twice at once is found the second time. (The
        # organisation row is locked here on PostgreSQL; SQLite transactions are IMMEDIATE and
        # take the write lock at their start.)
        Organisation.objects.select_for_update().filter(pk=by.organisation_id).first()
        if not confirm_new_person:
            duplicates = possible_duplicates(
                organisation_id=by.organisation_id,
                first_name=fields["legal_first_name"],
                last_name=fields["legal_last_name"],
                date_of_birth=fields["date_of_birth"],
            )
            if duplicates:
                raise DuplicateClientError(duplicates)
        client = Client(
            organisation_id=by.organisation_id,
            registered_by=by,
            stage=stages.Stage.ENGAGEMENT,
            primary_case_manager=by if by.role == Role.CASE_MANAGER else None,
            **fields,
        )
        client.case_number = _next_case_number(client.organisation)
        client.full_clean()
        client.save()
        StageChange.objects.create(
            client=client, from_stage="", to_stage=client.stage, reason="Registered", moved_by=by
        )
        audit_record(
            actor=by,
            action="create",
            client_id=client.pk,
            object_type="client",
            object_id=client.pk,
            changes={"version": [None, 1]}
            | {
                name: [None, value]
                for name, value in _snapshot(client, CLIENT_REGISTRATION_FIELDS).items()
            },
        )
        _timeline(client, TimelineKind.REGISTERED, f"Registered in {program.name}", by)
    return client


@dataclass(frozen=True)
class _Note:
    """A timeline entry to write once a change is saved."""

    kind: str
    summary: str
    detail: str = ""


def _update_versioned[Versioned: (Client, Collateral)](
    instance: Versioned,
    *,
    by: User,
    version: int,
    fields: dict[str, Any],
    editable: list[str],
    object_type: str,
    describe: Callable[[Versioned, Versioned, dict[str, Any]], list[_Note]],
    audit_extra: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
) -> Versioned:
    """Save an edit to a versioned record in one transaction: lock the row, refuse it if someone
    saved since `version` was read, apply and validate the edited fields, then, only if
    something changed, bump the version, audit the before and after, and tell the timeline.

    `describe(before, after, diff)` says what the timeline should read; it may refuse the edit
    (ValidationError) before anything is saved. `audit_extra(diff)` adds to the audit row.
    """
    with transaction.atomic():
        current = type(instance).objects.select_for_update().get(pk=instance.pk)
        _check_version(current, version, object_type)
        before = copy(current)
        for name, value in fields.items():
            if name not in editable:
                raise ValueError(f"{name} is not an editable {object_type} field")
            setattr(current, name, value)
        current.full_clean()
        diff = changed_fields(_snapshot(before, editable), _snapshot(current, editable))
        if not diff:
            return current
        notes = describe(before, current, diff)
        current.version += 1
        current.save()
        client = current if isinstance(current, Client) else current.client
        audit_record(
            actor=by,
            action="update",
            client_id=client.pk,
            object_type=object_type,
            object_id=current.pk,
            changes=diff
            | (audit_extra(diff) if audit_extra else {})
            | {"version": [version, current.version]},
        )
        for note in notes:
            _timeline(client, note.kind, note.summary, by, note.detail)
    return current


def client_update(*, client: Client, by: User, version: int, **fields: Any) -> Client:
    """Save edited details, refusing if someone else saved since `version` was read."""

    def describe(before: Client, after: Client, diff: dict[str, Any]) -> list[_Note]:
        labels = ", ".join(field_label(name) for name in diff)
        return [_Note(TimelineKind.DETAILS, f"Details updated: {labels}"[:300])]

    return _update_versioned(
        client,
        by=by,
        version=version,
        fields=fields,
        editable=CLIENT_DETAIL_FIELDS,
        object_type="client",
        describe=describe,
    )


def client_program_move(
    *, client: Client, by: User | None, to_program: Program, reason: str
) -> Client:
    """Move the client to another of the organisation's programs, in the caller's transaction.

    Only a level of care does this (an admission to one of the programs): who may see the case
    follows the program, so the timeline says from which program, to which, and why. `by` is
    None when a receiving partner confirmed the admission; a person must work in the program.
    """
    reason = (reason or "").strip()
    with transaction.atomic():
        return _program_move(client, by, to_program, reason)


def _program_move(client: Client, by: User | None, to_program: Program, reason: str) -> Client:
    current = Client.objects.select_for_update().select_related("program").get(pk=client.pk)
    if current.program_id == to_program.pk:
        return current
    if to_program.organisation_id != current.organisation_id or (
        by is not None and not by.programs.filter(pk=to_program.pk).exists()
    ):
        raise ValidationError({"program": "Choose one of the programs you work in."})
    note = _program_move_note(current.program, to_program, reason)
    before = current.program_id
    current.program = to_program
    current.version += 1
    current.save()
    audit_record(
        actor=by,
        action="update",
        client_id=current.pk,
        object_type="client",
        object_id=current.pk,
        organisation_id=current.organisation_id,
        changes={
            "program": [before, to_program.pk],
            "reason": [None, reason],
            "version": [current.version - 1, current.version],
        },
    )
    _timeline(current, note.kind, note.summary, by, note.detail)
    return current


def _program_move_note(from_program: Program, to_program: Program, reason: str) -> _Note:
    """The timeline entry of a move to another program; a move without a reason is refused."""
    if not reason:
        raise ValidationError(
            {
                "reason": (
                    f"Say why the client is moving from {from_program.name} to "
                    f"{to_program.name} (for example, stepped up to residential care)."
                )
            }
        )
    summary = f"Moved from {from_program.name} to {to_program.name}: {reason}"
    if len(summary) <= 300:
        return _Note(TimelineKind.PROGRAM, summary)
    # The reason is kept whole beside a shortened summary.
    return _Note(TimelineKind.PROGRAM, summary[:299] + "…", detail=reason)


def case_move_stage(
    *, client: Client, to_stage: str, by: User, reason: str, version: int
) -> Client:
    """Move the case to another stage if the stage table allows it; who, when and why are kept."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the case is moving (for example, what changed)."})
    with transaction.atomic():
        current = Client.objects.select_for_update().get(pk=client.pk)
        _check_version(current, version, "client")
        from_stage = current.stage
        if not stages.is_allowed(from_stage, to_stage):
            allowed = ", ".join(stages.Stage(s).label for s in stages.allowed_moves(from_stage))
            raise ValidationError(
                {
                    "to_stage": f"A case in {stages.Stage(from_stage).label} cannot move to "
                    f"{stages.Stage(to_stage).label}. It can move to: {allowed}."
                }
            )
        current.stage = to_stage
        now = timezone.now()
        if to_stage == stages.Stage.CONCLUSION:
            current.closed_at = now
        elif from_stage == stages.Stage.CONCLUSION:
            current.closed_at = None
        current.version += 1
        current.save()
        StageChange.objects.create(
            client=current, from_stage=from_stage, to_stage=to_stage, reason=reason, moved_by=by
        )
        if to_stage == stages.Stage.CONCLUSION:
            # What still runs for the client ends with the case: tasks, obligations, hand-offs.
            conclude(current, by, reason)
        audit_record(
            actor=by,
            action="update",
            client_id=current.pk,
            object_type="client",
            object_id=current.pk,
            changes={"stage": [from_stage, to_stage], "version": [version, current.version]},
        )
        verb = {"forward": "Moved", "back": "Moved back", "close": "Closed", "reopen": "Reopened"}[
            stages.describe_move(from_stage, to_stage)
        ]
        _timeline(
            current,
            TimelineKind.STAGE,
            f"{verb}: {stages.Stage(from_stage).label} → {stages.Stage(to_stage).label}",
            by,
            detail=reason,
        )
    return current


def client_assign(
    *, client: Client, by: User, role: str, to_user: User | None, reason: str, version: int
) -> Client:
    """Change who is assigned to the client in one role; the history is kept."""
    role = AssignmentRole(role)
    if to_user is not None:
        expected = Role.COACH if role == AssignmentRole.COACH else Role.CASE_MANAGER
        allowed_roles = {expected, Role.SUPERVISOR} if expected == Role.CASE_MANAGER else {expected}
        if to_user.organisation_id != client.organisation_id or to_user.role not in allowed_roles:
            raise ValidationError(
                {"to_user": f"Choose a {expected.label.lower()} in this organisation."}
            )
        if not to_user.is_active:
            raise ValidationError({"to_user": "That person's account is switched off."})
        # Whoever is assigned reaches the whole record: only people of the client's program.
        if not to_user.programs.filter(pk=client.program_id).exists():
            raise ValidationError(
                {"to_user": f"{to_user.display_name} does not work in this client's program."}
            )
    if role == AssignmentRole.PRIMARY and to_user is None:
        raise ValidationError({"to_user": "A client always needs a primary case manager."})
    with transaction.atomic():
        current = Client.objects.select_for_update().get(pk=client.pk)
        _check_version(current, version, "client")
        from_user = getattr(current, role.value)
        if from_user == to_user:
            return current
        setattr(current, role.value, to_user)
        current.version += 1
        current.save()
        AssignmentChange.objects.create(
            client=current,
            role=role,
            from_user=from_user,
            to_user=to_user,
            reason=reason.strip(),
            changed_by=by,
        )
        audit_record(
            actor=by,
            action="update",
            client_id=current.pk,
            object_type="client",
            object_id=current.pk,
            changes={
                role.value: [_value(from_user), _value(to_user)],
                "version": [version, current.version],
            },
        )
        who = to_user.display_name if to_user else "nobody"
        _timeline(current, TimelineKind.ASSIGNMENT, f"{role.label}: now {who}", by, reason.strip())
    return current


def collateral_add(*, client: Client, by: User, **fields: Any) -> Collateral:
    with transaction.atomic():
        collateral = Collateral(client=client, **fields)
        collateral.full_clean()
        collateral.save()
        audit_record(
            actor=by,
            action="create",
            client_id=client.pk,
            object_type="collateral",
            object_id=collateral.pk,
            changes={
                name: [None, v] for name, v in _snapshot(collateral, COLLATERAL_FIELDS).items()
            }
            | {"version": [None, 1]},
        )
        _timeline(
            client,
            TimelineKind.COLLATERAL,
            f"Contact added: {collateral.name} ({collateral.get_relationship_display()})",
            by,
        )
    return collateral


def collateral_update(
    *, collateral: Collateral, by: User, version: int, **fields: Any
) -> Collateral:
    """Save an edited collateral, refusing if someone else saved since `version` was read."""
    return _update_versioned(
        collateral,
        by=by,
        version=version,
        fields=fields,
        editable=COLLATERAL_FIELDS,
        object_type="collateral",
        describe=lambda before, after, diff: [
            _Note(TimelineKind.COLLATERAL, f"Contact updated: {after.name}")
        ],
    )


def contact_times_set(
    *, client: Client, last_contact_at: datetime | None, last_attempt_at: datetime | None
) -> Client:
    """Keep on the client when staff last reached them and last tried without reaching them, as
    the capability that records contacts works them out; the next contact due follows. Run it in
    that capability's transaction, with the client's row locked."""
    stored = Client.objects.filter(pk=client.pk)
    stored.update(last_contact_at=last_contact_at, last_attempt_at=last_attempt_at)
    client.last_contact_at, client.last_attempt_at = last_contact_at, last_attempt_at
    client.next_contact_due_at = stored.values_list("next_contact_due_at", flat=True).get()
    return client


def flag_raise(*, client: Client, by: User, kind: str, note: str = "") -> ClientFlag:
    with transaction.atomic():
        if client.flags.filter(kind=kind, cleared_at__isnull=True).exists():
            raise ValidationError({"kind": "This flag is already raised on the client."})
        flag = ClientFlag(client=client, kind=kind, note=note.strip(), raised_by=by)
        flag.full_clean()
        flag.save()
        audit_record(
            actor=by,
            action="create",
            client_id=client.pk,
            object_type="flag",
            object_id=flag.pk,
            changes={"kind": [None, kind], "note": [None, flag.note]},
        )
        _timeline(
            client, TimelineKind.FLAG, f"Flag raised: {flag.get_kind_display()}", by, flag.note
        )
    return flag


def flag_clear(*, flag: ClientFlag, by: User, note: str) -> ClientFlag:
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": "Say why the flag can be cleared."})
    with transaction.atomic():
        current = ClientFlag.objects.select_for_update().get(pk=flag.pk)
        if current.cleared_at is not None:
            raise ValidationError("This flag was already cleared.")
        current.cleared_at = timezone.now()
        current.cleared_by = by
        current.clear_note = note
        current.save()
        audit_record(
            actor=by,
            action="update",
            client_id=current.client_id,
            object_type="flag",
            object_id=current.pk,
            changes={"cleared": [False, True], "clear_note": [None, note]},
        )
        _timeline(
            current.client,
            TimelineKind.FLAG,
            f"Flag cleared: {current.get_kind_display()}",
            by,
            note,
        )
    return current


def emergency_access(*, user: User, case_number: str, reason: str) -> Client:
    """Break the glass: time-limited view of one client in the user's organisation.

    A number with no case in the organisation is refused, and the refusal is audited before the
    error is raised, outside any transaction of ours, so it stays when the caller catches the
    error. The typed number is not kept (only its length): it may be another agency's case
    number, and we never look across organisations to say so.
    """
    typed = case_number.strip()
    in_organisation = (
        Client.objects.none()
        if user.organisation_id is None
        else Client.objects.filter(organisation_id=user.organisation_id)
    )
    client = in_organisation.filter(case_number=typed).select_related("program").first()
    if client is None:
        refusal_record(
            actor=user,
            reason="no_such_case",
            object_type="break_glass",
            changes={"typed_length": len(typed)},
        )
        raise ValidationError({"case_number": "No case with that number in your organisation."})
    with transaction.atomic():
        break_glass_grant(
            user=user, client_id=client.pk, program_id=client.program_id, reason=reason
        )
        _timeline(
            client, TimelineKind.ACCESS, f"Emergency access by {user.display_name}", user, reason
        )
    return client


__all__ = [
    "Action",
    "DuplicateClientError",
    "case_move_stage",
    "client_assign",
    "client_register",
    "client_update",
    "collateral_add",
    "collateral_update",
    "contact_times_set",
    "emergency_access",
    "flag_clear",
    "flag_raise",
]

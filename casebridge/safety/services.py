"""Every write of the safety app: safety plan drafts, signatures and versions; the on-call
roster; after-hours contacts; and an on-call worker's opening of a client's safety plan.

Each function is keyword-only, runs in one transaction, checks its input in plain words
(ValidationError keyed by field) and audits what it changed. Who may call which is decided by the
views through the access policy and `casebridge.safety.queries`; the rules that hold whoever
calls (a shift does not overlap another, the on-call worker is on shift) are checked here.
"""

from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from casebridge.accounts.models import Program, Role, User
from casebridge.audit.models import AuditAction
from casebridge.audit.services import audit_record, changed_fields
from casebridge.audit.versions import check_record_version, save_version
from casebridge.clients.models import Client
from casebridge.clients.services import timeline_add
from casebridge.inputs import (
    EARLIEST_DATE,
    LATEST_DATE,
    check_drawn_signature,
    lines_problem,
    text_problem,
    tidy_lines,
)
from casebridge.safety.models import (
    LINE_LIMIT,
    MAX_SHIFT_HOURS,
    NOTE_LIMIT,
    SECTION_LIMIT,
    SECTION_NAMES,
    SECTIONS,
    AfterHoursContact,
    OnCallOpening,
    OnCallShift,
    SafetyPlan,
    SafetyPlanSignature,
    SignatureMethod,
    SignerRole,
    TimelineKind,
)
from casebridge.safety.statuses import SafetyPlanStatus, may_move

OBJECT_TYPE = "safety_plan"
# The audit action of an on-call worker's read: its own name, so the trail and the privacy
# officer tell it apart from emergency (break-the-glass) access.
ON_CALL_READ = AuditAction.ON_CALL_READ
LOCKED_MESSAGE = (
    "This version is signed or no longer a draft, so it cannot be changed. "
    "Make a new version instead."
)
MAX_LINES = 20  # items in one section: a plan the client can read in a crisis
# Who may be on call: the on-call worker reads recent contact notes, which are clinical content
# that coaches and intake coordinators do not read for their work (access.policy).
ON_CALL_ROLES = frozenset({Role.CASE_MANAGER, Role.SUPERVISOR})


class SafetyPlanLocked(Exception):
    """This version is signed or no longer a draft; changes need a new version."""


def _status_move(plan: SafetyPlan, to_status: str) -> None:
    if not may_move(plan.status, to_status):
        raise SafetyPlanLocked(
            f"A safety plan that is {plan.get_status_display().lower()} cannot change."
        )
    plan.status = to_status


def _section_problem(value: str) -> str:
    return lines_problem(
        value, max_length=SECTION_LIMIT, max_lines=MAX_LINES, line_limit=LINE_LIMIT
    )


def safety_plan_start(*, client: Client, by: User) -> SafetyPlan:
    """A new draft: a copy of the version in effect, or an empty plan with the 988 line. Refused
    while a draft is still open (there is one draft at a time)."""
    with transaction.atomic():
        Client.objects.select_for_update().filter(pk=client.pk).first()
        plans = SafetyPlan.objects.filter(client=client)
        if plans.filter(status=SafetyPlanStatus.DRAFT).exists():
            raise ValidationError("There is already a draft of the safety plan. Finish that one.")
        in_effect = plans.filter(status=SafetyPlanStatus.ACTIVE).first()
        last = plans.order_by("-sequence").values_list("sequence", flat=True).first() or 0
        plan = SafetyPlan(client=client, sequence=last + 1, created_by=by, previous=in_effect)
        if in_effect is not None:
            for name in SECTION_NAMES:
                setattr(plan, name, getattr(in_effect, name))
        plan.full_clean()
        plan.save()
        audit_record(
            actor=by,
            action="create",
            client_id=client.pk,
            object_type=OBJECT_TYPE,
            object_id=plan.pk,
            changes={"sequence": [None, plan.sequence]},
        )
        timeline_add(
            client=client,
            kind=TimelineKind.SAFETY_PLAN,
            summary=f"Safety plan version {plan.sequence} drafted",
            actor=by,
        )
    return plan


def safety_plan_save(
    *, plan: SafetyPlan, by: User, version: int | None, sections: dict[str, str]
) -> SafetyPlan:
    """Save the draft's sections (`sections` maps section names to text, one item a line).
    Refused when the draft is signed, or someone saved it since `version` (VersionConflict)."""
    unknown = set(sections) - set(SECTION_NAMES)
    if unknown:
        raise ValueError(f"Unknown safety plan sections: {sorted(unknown)}")
    with transaction.atomic():
        current = SafetyPlan.objects.select_for_update().get(pk=plan.pk)
        if current.is_locked:
            raise SafetyPlanLocked(LOCKED_MESSAGE)
        check_record_version(
            current,
            version,
            object_type=OBJECT_TYPE,
            message="Someone else changed this safety plan while you were working on it.",
        )
        errors = {
            name: problem
            for name, value in sections.items()
            if (problem := _section_problem(value if isinstance(value, str) else ""))
        }
        if errors:
            raise ValidationError(errors)
        before = {name: getattr(current, name) for name in sections}
        after = {name: tidy_lines(value) for name, value in sections.items()}
        for name, value in after.items():
            setattr(current, name, value)
        save_version(
            current, actor=by, object_type=OBJECT_TYPE, changes=changed_fields(before, after)
        )
    return current


def unfinished(plan: SafetyPlan) -> list[str]:
    """What a draft still lacks before anyone signs it, in plain words: at least the warning
    signs, something the client can do, and whom to call."""
    headings = {name: heading for name, heading, _ in SECTIONS}
    return [
        f"Add at least one line to “{headings[name]}”."
        for name in ("warning_signs", "coping_steps", "professionals")
        if not plan.lines(name)
    ]


def safety_plan_sign(
    *,
    plan: SafetyPlan,
    by: User,
    version: int | None,
    role: str,
    method: str = "",
    name: str = "",
    image: str = "",
    witness_name: str = "",
) -> SafetyPlanSignature:
    """Record the client's or the staff member's signature. The first fixes the text; the
    second puts the version in effect and the version it replaces is replaced."""
    with transaction.atomic():
        current = SafetyPlan.objects.select_for_update().select_related("client").get(pk=plan.pk)
        if current.status != SafetyPlanStatus.DRAFT:
            raise SafetyPlanLocked("This version is no longer a draft; it cannot be signed.")
        check_record_version(
            current,
            version,
            object_type=OBJECT_TYPE,
            message="The safety plan changed since you opened it. Read it again before signing.",
        )
        missing = unfinished(current)
        if missing:
            raise ValidationError(" ".join(missing))
        if role not in SignerRole.values:
            raise ValidationError("Unknown signer.")
        if current.signatures.filter(role=role).exists():
            raise ValidationError("That signature is already recorded.")
        witness_name = (witness_name or "").strip()
        if role == SignerRole.CLIENT:
            name = (name or "").strip() or current.client.legal_name
            if method == SignatureMethod.ON_SCREEN:
                try:
                    check_drawn_signature(image)
                except ValidationError as problem:
                    raise ValidationError({"image": problem.messages}) from None
                witness_name = ""
            elif method == SignatureMethod.VERBAL:
                if not witness_name:
                    raise ValidationError(
                        {"witness_name": "Name the witness to the client's agreement."}
                    )
                image = ""
            else:
                raise ValidationError({"method": "Choose how the client agreed."})
        else:
            method, name, image, witness_name = SignatureMethod.SIGNED_IN, by.display_name, "", ""
        signature = SafetyPlanSignature(
            plan=current,
            role=role,
            method=method,
            name=name,
            image=image,
            witness_name=witness_name,
            recorded_by=by,
        )
        signature.full_clean()
        signature.save()
        if current.locked_at is None:
            current.locked_at = timezone.now()
        save_version(
            current,
            actor=by,
            object_type=OBJECT_TYPE,
            changes={"signature": [None, f"{role} ({method})"]},
        )
        timeline_add(
            client=current.client,
            kind=TimelineKind.SAFETY_PLAN,
            summary=(
                f"Safety plan version {current.sequence}: "
                f"{signature.get_role_display().lower()} signed"
            ),
            actor=by,
        )
        if set(current.signatures.values_list("role", flat=True)) >= set(SignerRole.values):
            _activate(current, by)
    return signature


def _activate(plan: SafetyPlan, by: User) -> None:
    now = timezone.now()
    replaced = (
        SafetyPlan.objects.select_for_update()
        .filter(client_id=plan.client_id, status=SafetyPlanStatus.ACTIVE)
        .first()
    )
    if replaced is not None:
        _status_move(replaced, SafetyPlanStatus.REPLACED)
        replaced.replaced_at = now
        replaced.save(update_fields=["status", "replaced_at"])
        audit_record(
            actor=by,
            action="update",
            client_id=plan.client_id,
            object_type=OBJECT_TYPE,
            object_id=replaced.pk,
            changes={"status": ["active", "replaced"]},
        )
    _status_move(plan, SafetyPlanStatus.ACTIVE)
    plan.activated_at = now
    plan.save(update_fields=["status", "activated_at"])
    audit_record(
        actor=by,
        action="update",
        client_id=plan.client_id,
        object_type=OBJECT_TYPE,
        object_id=plan.pk,
        changes={"status": ["draft", "active"]},
    )
    timeline_add(
        client=plan.client,
        kind=TimelineKind.SAFETY_PLAN,
        summary=f"Safety plan version {plan.sequence} is in effect",
        actor=by,
    )


# --- The on-call roster ------------------------------------------------------------------------


def _moment(value: datetime) -> str:
    local = timezone.localtime(value)
    return f"{local:%b} {local.day}, {local:%H:%M}"


def _plausible(errors: dict[str, str], field: str, value: Any) -> bool:
    if not isinstance(value, datetime) or timezone.is_naive(value):
        errors[field] = "Give a date and a time."
        return False
    if not EARLIEST_DATE <= timezone.localdate(value) <= LATEST_DATE:
        errors[field] = "Give a date between 1900 and 2100."
        return False
    return True


def shift_add(
    *,
    program: Program,
    user: User,
    starts_at: datetime,
    ends_at: datetime,
    by: User,
    handover_note: str = "",
) -> OnCallShift:
    """Put `user` on call for `program` from `starts_at` to `ends_at`. One person is on call for
    a program at a time: a shift that overlaps another of the program's is refused, saying whose."""
    errors: dict[str, str] = {}
    if not (
        user.is_active
        and user.organisation_id == program.organisation_id
        and user.role in ON_CALL_ROLES
        and user.programs.filter(pk=program.pk).exists()
    ):
        errors["user"] = "Choose a case manager or supervisor who works in this program."
    good_start = _plausible(errors, "starts_at", starts_at)
    good_end = _plausible(errors, "ends_at", ends_at)
    if good_start and good_end:
        if ends_at <= starts_at:
            errors["ends_at"] = "The shift ends before it starts. Check the end."
        elif ends_at - starts_at > timedelta(hours=MAX_SHIFT_HOURS):
            errors["ends_at"] = "A shift can last at most 7 days. Split it into shorter shifts."
    problem = text_problem(handover_note, multiline=True, max_length=NOTE_LIMIT)
    if problem:
        errors["handover_note"] = problem
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # Lock the program's row so two supervisors adding shifts at once cannot both pass.
        Program.objects.select_for_update().filter(pk=program.pk).first()
        clash = (
            OnCallShift.objects.filter(
                program=program, starts_at__lt=ends_at, ends_at__gt=starts_at
            )
            .select_related("user")
            .first()
        )
        if clash is not None:
            raise ValidationError(
                {
                    "starts_at": (
                        f"{clash.user.display_name} is already on call for {program.name} from "
                        f"{_moment(clash.starts_at)} to {_moment(clash.ends_at)}. Shifts of one "
                        "program cannot overlap."
                    )
                }
            )
        shift = OnCallShift(
            program=program,
            user=user,
            starts_at=starts_at,
            ends_at=ends_at,
            handover_note=handover_note.strip(),
            created_by=by,
        )
        shift.full_clean()
        shift.save()
        audit_record(
            actor=by,
            action="create",
            object_type="on_call_shift",
            object_id=shift.pk,
            changes={
                "program": [None, program.pk],
                "user": [None, user.pk],
                "starts_at": [None, starts_at.isoformat()],
                "ends_at": [None, ends_at.isoformat()],
            },
        )
    return shift


def shift_remove(*, shift: OnCallShift, by: User) -> None:
    """Take a shift off the roster before it has started; a shift that has begun is history (the
    worker's openings point at it)."""
    with transaction.atomic():
        current = OnCallShift.objects.select_for_update().get(pk=shift.pk)
        if current.starts_at <= timezone.now():
            raise ValidationError("This shift has already started, so it stays on the roster.")
        audit_record(
            actor=by,
            action="delete",
            object_type="on_call_shift",
            object_id=current.pk,
            changes={"program": [current.program_id, None], "user": [current.user_id, None]},
        )
        current.delete()


def shift_handover(*, shift: OnCallShift, by: User, note: str) -> OnCallShift:
    """Write the note the on-call worker hands over to the next one (no client details needed:
    what was logged is in the after-hours contacts)."""
    problem = text_problem(
        note if isinstance(note, str) else "", multiline=True, max_length=NOTE_LIMIT
    )
    if problem:
        raise ValidationError({"handover_note": problem})
    with transaction.atomic():
        current = OnCallShift.objects.select_for_update().get(pk=shift.pk)
        before = current.handover_note
        current.handover_note = note.strip()
        current.full_clean()
        current.save(update_fields=["handover_note"])
        audit_record(
            actor=by,
            action="update",
            object_type="on_call_shift",
            object_id=current.pk,
            changes={"handover_note": [before, current.handover_note]},
        )
    return current


# --- After-hours contacts and on-call access ----------------------------------------------------


def shift_covering(*, user: User, program_id: int, at: datetime) -> OnCallShift | None:
    """The person's shift for the program that includes the moment `at`, if any."""
    return (
        OnCallShift.objects.filter(
            user=user, program_id=program_id, starts_at__lte=at, ends_at__gt=at
        )
        .order_by("starts_at")
        .first()
    )


def after_hours_record(
    *,
    program: Program,
    by: User,
    at: datetime,
    caller: str,
    what_happened: str,
    what_was_done: str,
    follow_up_needed: bool = False,
    client: Client | None = None,
) -> AfterHoursContact:
    """Log a call taken on call. The moment must fall within one of the person's shifts for the
    program (a supervisor of the program may log any), and the client, if named, be the program's."""
    errors: dict[str, str] = {}
    if _plausible(errors, "at", at) and at > timezone.now() + timedelta(minutes=5):
        errors["at"] = "This is in the future. Give the time the call came in."
    supervises = by.role == Role.SUPERVISOR and by.programs.filter(pk=program.pk).exists()
    covered = supervises or "at" in errors or shift_covering(user=by, program_id=program.pk, at=at)
    if not covered:
        errors["at"] = f"You were not on call for {program.name} at that time."
    for field, value, limit, multiline in (
        ("caller", caller, LINE_LIMIT, False),
        ("what_happened", what_happened, NOTE_LIMIT, True),
        ("what_was_done", what_was_done, NOTE_LIMIT, True),
    ):
        text = value if isinstance(value, str) else ""
        problem = text_problem(text, multiline=multiline, max_length=limit)
        if problem:
            errors[field] = problem
        elif not text.strip():
            errors[field] = "This is needed."
    if client is not None and (
        client.program_id != program.pk or client.organisation_id != program.organisation_id
    ):
        errors["client"] = "This client is not in the program."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        contact = AfterHoursContact(
            program=program,
            taken_by=by,
            at=at,
            caller=caller.strip(),
            client=client,
            what_happened=what_happened.strip(),
            what_was_done=what_was_done.strip(),
            follow_up_needed=bool(follow_up_needed),
        )
        contact.full_clean()
        contact.save()
        audit_record(
            actor=by,
            action="create",
            client_id=client.pk if client is not None else None,
            object_type="after_hours_contact",
            object_id=contact.pk,
            changes={
                "program": [None, program.pk],
                "follow_up_needed": [None, contact.follow_up_needed],
            },
        )
        if client is not None:
            timeline_add(
                client=client,
                kind=TimelineKind.AFTER_HOURS,
                summary=(
                    f"After-hours contact taken by {by.display_name}"
                    + (": follow-up needed" if contact.follow_up_needed else "")
                ),
                actor=by,
            )
    return contact


def on_call_open(*, client: Client, by: User, shift: OnCallShift) -> OnCallOpening:
    """Record that the on-call worker opened the client's safety plan and recent contacts during
    `shift` (the caller has checked the `safety.on_call` rule): audited as on-call access, not as
    emergency access, and put on the timeline once a shift so the case manager sees it."""
    with transaction.atomic():
        first_this_shift = not OnCallOpening.objects.filter(shift=shift, client=client).exists()
        opening = OnCallOpening.objects.create(client=client, shift=shift, opened_by=by)
        audit_record(
            actor=by,
            action=ON_CALL_READ,
            client_id=client.pk,
            object_type="on_call_opening",
            object_id=opening.pk,
            changes={"shift": shift.pk, "program": shift.program_id},
        )
        if first_this_shift:
            timeline_add(
                client=client,
                kind=TimelineKind.ON_CALL,
                summary=(
                    f"{by.display_name}, on call, opened the safety plan and the last two weeks "
                    "of contacts"
                ),
                actor=by,
            )
    return opening

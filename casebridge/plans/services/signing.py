"""Signing a draft and putting it in effect. The first signature fixes the text; the last one
needed puts the version in effect, supersedes the one it replaces and gives out its tasks."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from casebridge.accounts.models import Role, User
from casebridge.clients.services import timeline_add
from casebridge.inputs import check_drawn_signature
from casebridge.plans.models import (
    CarePlan,
    PlanRules,
    PlanSignature,
    SignatureMethod,
    SignerRole,
    TimelineKind,
)
from casebridge.plans.services.common import (
    PlanLocked,
    check_plan_version,
    plan_audit,
    status_move,
    version_moved,
)
from casebridge.plans.services.followup import tasks_on_activation
from casebridge.plans.statuses import PlanStatus


def required_signers(plan: CarePlan) -> list[str]:
    roles: list[str] = [SignerRole.CLIENT, SignerRole.CASE_MANAGER]
    rules = PlanRules.objects.filter(program_id=plan.client.program_id).first()
    if rules is not None and rules.supervisor_cosign:
        roles.append(SignerRole.SUPERVISOR)
    return roles


def unfinished(plan: CarePlan) -> list[str]:
    """What a draft still lacks before anyone can sign it, in plain words."""
    problems: list[str] = []
    goals = list(plan.goals.all())
    if not goals:
        problems.append("Add at least one goal.")
    with_actions = set(plan.interventions.values_list("goal_id", flat=True))
    for goal in goals:
        if goal.pk not in with_actions:
            problems.append(f"Say what will be done for the goal “{goal.own_words[:60]}”.")
    return problems


def plan_sign(
    *,
    plan: CarePlan,
    by: User,
    version: int,
    role: str,
    method: str = "",
    name: str = "",
    image: str = "",
    witness_name: str = "",
) -> PlanSignature:
    """Record one signature. The first fixes the text; the last one needed puts the plan in
    effect (and the version it replaces is superseded)."""
    with transaction.atomic():
        current = CarePlan.objects.select_for_update().get(pk=plan.pk)
        if current.status != PlanStatus.DRAFT:
            raise PlanLocked("This version is no longer a draft; it cannot be signed.")
        check_plan_version(
            current, version, "The plan changed since you opened it. Read it again before signing."
        )
        missing = unfinished(current)
        if missing:
            raise ValidationError(" ".join(missing))
        if current.signatures.filter(role=role).exists():
            raise ValidationError("That signature is already recorded.")
        if role == SignerRole.CLIENT:
            method, name = _client_signature(current, method, name, image, witness_name)
            if method != SignatureMethod.ON_SCREEN:
                image = ""
        elif role == SignerRole.CASE_MANAGER:
            if current.signatures.filter(role=SignerRole.SUPERVISOR, recorded_by=by).exists():
                raise ValidationError("You co-signed as supervisor; the case manager signs too.")
            method, name, image, witness_name = SignatureMethod.SIGNED_IN, by.display_name, "", ""
        elif role == SignerRole.SUPERVISOR:
            if by.role != Role.SUPERVISOR:
                raise ValidationError("Only a supervisor can co-sign a plan.")
            if current.signatures.filter(role=SignerRole.CASE_MANAGER, recorded_by=by).exists():
                raise ValidationError("The co-signature must come from another supervisor.")
            method, name, image, witness_name = SignatureMethod.SIGNED_IN, by.display_name, "", ""
        else:
            raise ValidationError("Unknown signer.")
        signature = PlanSignature(
            plan=current,
            role=role,
            method=method,
            name=name,
            image=image,
            witness_name=witness_name.strip(),
            recorded_by=by,
        )
        signature.full_clean()
        signature.save()
        if current.locked_at is None:
            current.locked_at = timezone.now()
        moved = version_moved(current)
        current.save(update_fields=["locked_at", "version"])
        plan_audit(
            by,
            current,
            "update",
            "care_plan",
            current.pk,
            {"signature": [None, f"{role} ({method})"], "version": moved},
        )
        timeline_add(
            client=current.client,
            kind=TimelineKind.PLAN,
            summary=f"Care plan version {current.sequence}: {signature.get_role_display().lower()} signed",
            actor=by,
        )
        signed = set(current.signatures.values_list("role", flat=True))
        if set(required_signers(current)) <= signed:
            _activate(current, by)
    return signature


def _client_signature(
    plan: CarePlan, method: str, name: str, image: str, witness_name: str
) -> tuple[str, str]:
    name = (name or "").strip() or plan.client.legal_name
    if method == SignatureMethod.ON_SCREEN:
        try:
            check_drawn_signature(image)
        except ValidationError as problem:
            raise ValidationError({"image": problem.messages}) from None
    elif method == SignatureMethod.VERBAL:
        if not witness_name.strip():
            raise ValidationError({"witness_name": "Name the witness to the client's agreement."})
    else:
        raise ValidationError({"method": "Choose how the client agreed."})
    return method, name


def _activate(plan: CarePlan, by: User) -> None:
    now = timezone.now()
    replaced = (
        CarePlan.objects.select_for_update()
        .filter(client_id=plan.client_id, status=PlanStatus.ACTIVE)
        .first()
    )
    if replaced is not None:
        status_move(replaced, PlanStatus.SUPERSEDED)
        replaced.ended_at = now
        replaced.end_reason = f"Replaced by version {plan.sequence}"
        replaced.save(update_fields=["status", "ended_at", "end_reason"])
        plan_audit(
            by, replaced, "update", "care_plan", replaced.pk, {"status": ["active", "superseded"]}
        )
    status_move(plan, PlanStatus.ACTIVE)
    plan.activated_at = now
    plan.save(update_fields=["status", "activated_at"])
    plan_audit(by, plan, "update", "care_plan", plan.pk, {"status": ["draft", "active"]})
    timeline_add(
        client=plan.client,
        kind=TimelineKind.PLAN,
        summary=f"Care plan version {plan.sequence} is in effect",
        actor=by,
    )
    tasks_on_activation(plan, by)

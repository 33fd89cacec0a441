"""What every care-plan service shares: the audit row, status moves, and the draft's lock."""

from typing import Any

from casebridge.accounts.models import User
from casebridge.assessments.queries import last_signed_assessment
from casebridge.audit.services import audit_record
from casebridge.audit.versions import check_version
from casebridge.plans.models import CarePlan
from casebridge.plans.statuses import may_move

LOCKED_MESSAGE = (
    "This version is signed or no longer a draft, so it cannot be changed. "
    "Make a new version instead."
)
CHANGED_MESSAGE = "Someone else changed this plan while you were working on it."


class PlanLocked(Exception):
    """This version is signed or no longer a draft; changes need a new version."""


def plan_audit(
    by: User, plan: CarePlan, action: str, object_type: str, object_id: Any, changes: dict[str, Any]
) -> None:
    audit_record(
        actor=by,
        action=action,
        client_id=plan.client_id,
        object_type=object_type,
        object_id=object_id,
        changes=changes,
    )


# A plan starts from, and a review reads, the assessment the assessments app calls the last signed.
latest_signed_assessment = last_signed_assessment


def status_move(plan: CarePlan, to_status: str) -> None:
    if not may_move(plan.status, to_status):
        raise PlanLocked(f"A plan that is {plan.get_status_display().lower()} cannot change.")
    plan.status = to_status


def check_plan_version(current: CarePlan, version: int, message: str = CHANGED_MESSAGE) -> None:
    """Refuse (VersionConflict, naming who changed the plan since) unless `version` is the
    locked row's."""
    check_version(
        current=current.version,
        version=version,
        client_id=current.client_id,
        object_type="care_plan",
        object_id=current.pk,
        message=message,
    )


def draft_for_change(plan: CarePlan, version: int) -> CarePlan:
    """Lock the draft row, and refuse when it is signed or someone saved in between."""
    current = CarePlan.objects.select_for_update().get(pk=plan.pk)
    if current.is_locked:
        raise PlanLocked(LOCKED_MESSAGE)
    check_plan_version(current, version)
    return current


def version_moved(plan: CarePlan) -> list[int]:
    """Move the plan's version on (the caller saves it); returns [before, after] for the
    audit row, which is what lets a refused save name who changed the plan meanwhile."""
    was = plan.version
    plan.version += 1
    return [was, plan.version]


def draft_saved(plan: CarePlan, by: User, changes: dict[str, Any]) -> CarePlan:
    """After a change to a draft: move its version on and audit the plan's update with what
    changed, so anyone still working on the older version is refused and told who and what."""
    moved = version_moved(plan)
    plan.save(update_fields=["version"])
    plan_audit(by, plan, "update", "care_plan", plan.pk, {**changes, "version": moved})
    return plan

"""Shared steps for safety tests: a draft filled in, a plan in effect, a shift going on now."""

from datetime import timedelta

from django.utils import timezone

from casebridge.safety import services
from tests.plans.helpers import SIGNATURE

FILLED = {
    "warning_signs": "Not sleeping\nSkipping meetings",
    "coping_steps": "Walk the dog\nListen to music",
    "distractions": "Coffee shop on Main St",
    "help_contacts": "Sister Ana 555-0101",
    "professionals": "988 Suicide & Crisis Lifeline — call or text 988\nDr. Lee 555-0199",
    "safe_environment": "Ana keeps my medicines",
    "reasons_for_living": "My daughter",
}


def filled_draft(world, *, by=None):
    plan = services.safety_plan_start(client=world.client, by=by or world.alice)
    return services.safety_plan_save(
        plan=plan, by=by or world.alice, version=plan.version, sections=FILLED
    )


def sign_both(plan, world, *, by=None):
    plan = services.safety_plan_sign(
        plan=plan,
        by=by or world.alice,
        version=plan.version,
        role="client",
        method="on_screen",
        image=SIGNATURE,
    ).plan
    services.safety_plan_sign(plan=plan, by=by or world.alice, version=plan.version, role="staff")
    plan.refresh_from_db()
    return plan


def plan_in_effect(world):
    return sign_both(filled_draft(world), world)


def shift_now(world, user=None, program=None, *, hours_left=8):
    now = timezone.now()
    return services.shift_add(
        program=program or world.program,
        user=user or world.bob,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=hours_left),
        by=world.sue,
    )

"""Shared steps for care-plan tests: a signed assessment, and a plan ready to sign."""

import base64
import io
from datetime import timedelta

from django.utils import timezone
from PIL import Image, ImageDraw

from casebridge.assessments import services as assessment_services
from casebridge.assessments.biopsychosocial import ASAM_DIMENSIONS, NEED_DOMAINS, suggest_level
from casebridge.plans import services


def _drawn_signature() -> str:
    picture = Image.new("L", (120, 40), 255)
    ImageDraw.Draw(picture).line([(5, 30), (60, 8), (115, 30)], fill=0, width=3)
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


SIGNATURE = _drawn_signature()


def signed_assessment(client, by, *, needs=None, ratings=(1, 0, 2, 1, 2, 1), level=None):
    assessment = assessment_services.assessment_start(client=client, by=by)
    rated = {domain: {"severity": 0, "reason": ""} for domain, _ in NEED_DOMAINS}
    rated.update(needs or {})
    suggested = suggest_level(dict(enumerate(ratings, start=1)))[0]
    return assessment_services.assessment_save(
        assessment=assessment,
        by=by,
        version=assessment.version,
        sections={"strengths": {"strengths": "Good with people; a loving family"}},
        substances=[],
        needs=rated,
        asam={
            str(d): {"rating": r, "rationale": "seen"}
            for (d, _), r in zip(ASAM_DIMENSIONS, ratings, strict=True)
        },
        chosen_level=level or suggested,
        level_override_reason="" if not level or level == suggested else "clinical judgement",
        sign=True,
    )


def in_days(days):
    return timezone.localdate() + timedelta(days=days)


def ready_plan(world, *, owner=None, frequency="weekly"):
    """A draft with one need, one goal, one step and one action, from a signed assessment."""
    signed_assessment(
        world.client,
        world.alice,
        needs={"housing": {"severity": 3, "reason": "Sleeping on a friend's couch"}},
    )
    plan = services.plan_start(client=world.client, by=world.alice)
    problem = plan.problems.get()
    plan.refresh_from_db()
    goal = services.goal_save(
        plan=plan,
        by=world.alice,
        version=plan.version,
        problem_id=problem.pk,
        own_words="I want my own place",
        measurable="Signed lease in my name",
        target_date=in_days(90),
        term="long",
        strength="Good with people",
    )
    plan.refresh_from_db()
    services.objective_save(
        plan=plan, by=world.alice, version=plan.version, goal_id=goal.pk, text="Apply for housing"
    )
    plan.refresh_from_db()
    services.intervention_save(
        plan=plan,
        by=world.alice,
        version=plan.version,
        goal_id=goal.pk,
        action="Go through housing listings together",
        responsible="case_manager",
        frequency=frequency,
        owner=owner or world.alice,
    )
    plan.refresh_from_db()
    return plan


def sign_all(plan, world):
    services.plan_sign(
        plan=plan,
        by=world.alice,
        version=plan.version,
        role="client",
        method="on_screen",
        image=SIGNATURE,
    )
    plan.refresh_from_db()
    services.plan_sign(plan=plan, by=world.alice, version=plan.version, role="case_manager")
    plan.refresh_from_db()
    return plan


def review_due_both_ways(client):
    """When the client's plan in effect is due for review, as the caseload works it out for many
    clients and as the plan's own pages do for one: the two must agree."""
    from casebridge.plans import queries
    from casebridge.plans.models import CarePlan

    many = queries.reviews_due([client.pk])[client.pk]
    plan = CarePlan.objects.get(client=client, status="active")
    client.refresh_from_db()
    assert queries.review_due(plan, client) == many
    return many

"""Reviewing the plan in effect: every goal rated, and a decision to keep the plan, make a new
version of it, or close it."""

from django.core.exceptions import ValidationError
from django.db import transaction

from casebridge.accounts.models import User
from casebridge.clients.services import timeline_add
from casebridge.plans.models import (
    CarePlan,
    GoalProgress,
    PlanReview,
    Progress,
    ReviewOutcome,
    TimelineKind,
)
from casebridge.plans.services.common import latest_signed_assessment, plan_audit
from casebridge.plans.services.versions import plan_close, plan_revise
from casebridge.plans.statuses import PlanStatus


def review_record(
    *,
    plan: CarePlan,
    by: User,
    reason: str,
    summary: str,
    outcome: str,
    ratings: dict[int, tuple[str, str]],
) -> tuple[PlanReview, CarePlan | None]:
    """Rate every goal and decide what happens to the plan; returns the review and, when the
    review revises the plan, the new draft."""
    problems: dict[str, str] = {}
    if not (summary or "").strip():
        problems["summary"] = "Summarise how the plan is going."
    goals = list(plan.goals.all())
    for goal in goals:
        rating = ratings.get(goal.pk, ("", ""))[0]
        if rating not in Progress.values:
            problems[f"goal_{goal.pk}_rating"] = "Rate the progress on this goal."
    if outcome not in ReviewOutcome.values:
        problems["outcome"] = "Choose what happens to the plan."
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        current = CarePlan.objects.select_for_update().get(pk=plan.pk)
        if current.status != PlanStatus.ACTIVE:
            raise ValidationError("Only the plan in effect can be reviewed.")
        assessment = latest_signed_assessment(current.client)
        review = PlanReview.objects.create(
            plan=current,
            reason=reason,
            summary=summary.strip(),
            outcome=outcome,
            level_of_care=assessment.chosen_level if assessment else current.level_of_care,
            reviewed_by=by,
        )
        review.full_clean()
        for goal in goals:
            rating, note = ratings[goal.pk]
            GoalProgress.objects.create(review=review, goal=goal, rating=rating, note=note.strip())
        plan_audit(
            by,
            current,
            "create",
            "plan_review",
            review.pk,
            {
                "outcome": [None, outcome],
                "ratings": [None, {str(goal.key): ratings[goal.pk][0] for goal in goals}],
            },
        )
        outcome_words = review.get_outcome_display().lower()
        if (
            outcome == ReviewOutcome.CONTINUE
            and review.level_of_care
            and review.level_of_care != current.level_of_care
        ):
            # Keeping the plan after a reassessment chose another level of care accepts that
            # level for the plan in effect; otherwise the plan would show the old level for good.
            was_level = current.level_of_care
            current.level_of_care = review.level_of_care
            current.save(update_fields=["level_of_care"])
            plan_audit(
                by,
                current,
                "update",
                "care_plan",
                current.pk,
                {"level_of_care": [was_level, current.level_of_care]},
            )
            outcome_words += f"; level of care now {current.level_of_care}"
        timeline_add(
            client=current.client,
            kind=TimelineKind.PLAN,
            summary=f"Care plan reviewed: {outcome_words}",
            detail=review.summary,
            actor=by,
        )
        new_plan = None
        if outcome == ReviewOutcome.REVISE:
            new_plan = plan_revise(plan=current, by=by, reason=f"Review: {review.summary}"[:2000])
        elif outcome == ReviewOutcome.CLOSE:
            plan_close(plan=current, by=by, reason=f"Closed at review: {review.summary}")
    return review, new_plan

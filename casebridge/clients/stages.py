"""The seven stages of a case and the moves allowed between them: the one table the app obeys.

Forward moves follow the case-management cycle; backward moves cover relapse (monitoring back to
assessment) and re-planning; a concluded case can be reopened.
"""

from django.db import models


class Stage(models.TextChoices):
    ENGAGEMENT = "engagement", "Engagement"
    ASSESSMENT = "assessment", "Assessment"
    PLANNING = "planning", "Planning"
    IMPLEMENTATION = "implementation", "Implementation"
    MONITORING = "monitoring", "Monitoring"
    REVIEW = "review", "Review"
    CONCLUSION = "conclusion", "Conclusion"


ORDER: list[str] = [stage.value for stage in Stage]

ALLOWED_MOVES: dict[str, frozenset[str]] = {
    Stage.ENGAGEMENT: frozenset({Stage.ASSESSMENT, Stage.CONCLUSION}),
    Stage.ASSESSMENT: frozenset({Stage.PLANNING, Stage.ENGAGEMENT, Stage.CONCLUSION}),
    Stage.PLANNING: frozenset({Stage.IMPLEMENTATION, Stage.ASSESSMENT, Stage.CONCLUSION}),
    Stage.IMPLEMENTATION: frozenset(
        {Stage.MONITORING, Stage.PLANNING, Stage.ASSESSMENT, Stage.CONCLUSION}
    ),
    Stage.MONITORING: frozenset({Stage.REVIEW, Stage.PLANNING, Stage.ASSESSMENT, Stage.CONCLUSION}),
    Stage.REVIEW: frozenset(
        {Stage.CONCLUSION, Stage.MONITORING, Stage.IMPLEMENTATION, Stage.PLANNING, Stage.ASSESSMENT}
    ),
    # Reopening a concluded case starts again with a fresh look at the client's needs.
    Stage.CONCLUSION: frozenset({Stage.ASSESSMENT, Stage.ENGAGEMENT}),
}


def allowed_moves(from_stage: str) -> list[str]:
    """The stages a case may move to from `from_stage`, in case order."""
    allowed = ALLOWED_MOVES[Stage(from_stage)]
    return [stage for stage in ORDER if stage in allowed]


def is_allowed(from_stage: str, to_stage: str) -> bool:
    return to_stage in ALLOWED_MOVES.get(Stage(from_stage), frozenset())


def describe_move(from_stage: str, to_stage: str) -> str:
    """A plain word for a move: forward, back, close or reopen."""
    if from_stage == Stage.CONCLUSION:
        return "reopen"
    if to_stage == Stage.CONCLUSION:
        return "close"
    return "forward" if ORDER.index(to_stage) > ORDER.index(from_stage) else "back"

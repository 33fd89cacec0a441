"""The URL matrix's rows for the followups app (see test_url_matrix.py for the people)."""

from collections.abc import Callable

from django.utils import timezone

from casebridge.followups import services
from casebridge.followups.models import FollowUp
from tests.access.matrix_people import row
from tests.followups.helpers import discharged


def _follow_up(w: object) -> dict[str, int]:
    return {"client_id": w.client.pk, "follow_up_id": w.follow_up.pk}  # type: ignore[attr-defined]


def _reached(w: object) -> dict[str, int]:
    return {"client_id": w.client.pk, "follow_up_id": w.reached_follow_up.pk}  # type: ignore[attr-defined]


# name: (method, kwargs-maker, expected status per person), as in test_url_matrix.MATRIX.
ROWS: dict[str, tuple[str, Callable[[object], dict[str, int]], dict[str, int]]] = {
    # The work list: for everyone with a caseload (each sees only the clients they log
    # contacts for).
    "followup_due": ("get", lambda w: {}, row(200, ada=404, aud=404, jude=404)),
    "continuity_measures": ("get", lambda w: {}, row(404, sue=200, otto=200)),
    # Follow-ups are read as clinical content (attempts' notes, outcomes); logging needs
    # record_contact: the assigned case manager and the supervisor.
    "followup_client": (
        "get",
        lambda w: {"client_id": w.client.pk},  # type: ignore[attr-defined]
        row(404, alice=200, sue=200),
    ),
    "followup_attempt": ("get", _follow_up, row(404, alice=200, sue=200)),
    "followup_attempt_edit": (
        "get",
        lambda w: _follow_up(w) | {"attempt_id": w.follow_up_attempt.pk},  # type: ignore[attr-defined]
        row(404, alice=200, sue=200),
    ),
    "followup_outcome": ("get", _reached, row(404, alice=200, sue=200)),
}

# Client URLs (taking only client_id) that another organisation's staff must find missing.
OTHER_ORGANISATION: list[str] = ["followup_client"]


def prepare(world: object) -> None:
    """Add what the rows need to the shared world (the matrix fixture calls this): a discharge
    that ended care 40 days ago, its 30-day follow-up open with one attempt, its 90-day one
    reached."""
    episode = discharged(world.client, days_ago_left=40)  # type: ignore[attr-defined]
    follow_up = FollowUp.objects.get(episode=episode, day_mark=30)
    reached = FollowUp.objects.get(episode=episode, day_mark=90)
    by = world.alice  # type: ignore[attr-defined]
    world.follow_up_attempt = services.attempt_record(  # type: ignore[attr-defined]
        follow_up=follow_up, by=by, result="no_answer", attempted_at=timezone.now()
    )
    services.attempt_record(follow_up=reached, by=by, result="reached", attempted_at=timezone.now())
    world.follow_up = follow_up  # type: ignore[attr-defined]
    world.reached_follow_up = reached  # type: ignore[attr-defined]

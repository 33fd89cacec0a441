"""A referral's statuses and the moves between them: the one table the services enforce.

The statuses are FHIR R4 Task states as the Gravity Project's SDOH Clinical Care guide uses
them for referral management (SDOHCC TaskForReferralManagement), so a referral maps onto a
Task without translation. A referral is drafted, then requested (sent); the receiving provider
may acknowledge it (received) before deciding, then accepts or rejects it; accepted work starts
(in progress), may pause (on hold), and ends completed or failed. The referring side may cancel
it while it is open. Rejected, cancelled and failed need a reason, "no-show" among them; the
four end states never change again (a new referral is made instead).

Who moves it: the provider (a partner account or the referral's one-time link) answers for its
side; the case manager sends and cancels, and may record any answer the provider gave by phone,
fax or letter, so the table of moves is one and the same for both.
"""

from django.db import models


class ReferralStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    REQUESTED = "requested", "Sent"
    RECEIVED = "received", "Received by the provider"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Declined"
    IN_PROGRESS = "in-progress", "In progress"
    ON_HOLD = "on-hold", "On hold"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"
    FAILED = "failed", "Did not happen"


S = ReferralStatus

MOVES: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.REQUESTED, S.CANCELLED}),
    S.REQUESTED: frozenset({S.RECEIVED, S.ACCEPTED, S.REJECTED, S.CANCELLED}),
    S.RECEIVED: frozenset({S.ACCEPTED, S.REJECTED, S.CANCELLED}),
    S.ACCEPTED: frozenset({S.IN_PROGRESS, S.ON_HOLD, S.COMPLETED, S.CANCELLED, S.FAILED}),
    S.IN_PROGRESS: frozenset({S.ON_HOLD, S.COMPLETED, S.CANCELLED, S.FAILED}),
    S.ON_HOLD: frozenset({S.IN_PROGRESS, S.CANCELLED, S.FAILED}),
    S.REJECTED: frozenset(),
    S.COMPLETED: frozenset(),
    S.CANCELLED: frozenset(),
    S.FAILED: frozenset(),
}

# The provider's side of the table: everything but sending and cancelling.
PROVIDER_MOVES: dict[str, frozenset[str]] = {
    status: moves - {S.REQUESTED, S.CANCELLED} for status, moves in MOVES.items()
}

FINAL = frozenset(status for status, moves in MOVES.items() if not moves)
OPEN = frozenset(ReferralStatus.values) - FINAL - {S.DRAFT}
# Sent and not yet answered: "not accepted within N days" counts from the sending.
AWAITING_ANSWER = frozenset({S.REQUESTED, S.RECEIVED})


class Reason(models.TextChoices):
    """Why a referral was declined, cancelled or did not happen (the Task's statusReason)."""

    NOT_ELIGIBLE = "not-eligible", "The client is not eligible"
    NO_CAPACITY = "no-capacity", "No place or the wait list is closed"
    SERVICE_NOT_OFFERED = "not-offered", "The provider does not offer this service"
    CLIENT_DECLINED = "client-declined", "The client decided against it"
    NEED_MET = "need-met", "The need was met another way"
    NO_RESPONSE = "no-response", "The provider never answered"
    CLIENT_UNREACHABLE = "unreachable", "The client could not be reached"
    NO_SHOW = "no-show", "The client did not come"
    LEFT_EARLY = "left-early", "The client left before it was finished"
    SENT_IN_ERROR = "in-error", "Sent by mistake"
    OTHER = "other", "Another reason (say which)"


R = Reason

# The reasons each ending takes; a move to any other status takes none.
REASONS: dict[str, frozenset[str]] = {
    S.REJECTED: frozenset(
        {R.NOT_ELIGIBLE, R.NO_CAPACITY, R.SERVICE_NOT_OFFERED, R.CLIENT_DECLINED, R.OTHER}
    ),
    S.CANCELLED: frozenset(
        {
            R.CLIENT_DECLINED,
            R.NEED_MET,
            R.NO_RESPONSE,
            R.CLIENT_UNREACHABLE,
            R.SENT_IN_ERROR,
            R.OTHER,
        }
    ),
    S.FAILED: frozenset(
        {R.NO_SHOW, R.CLIENT_UNREACHABLE, R.LEFT_EARLY, R.CLIENT_DECLINED, R.OTHER}
    ),
}


def is_allowed(from_status: str, to_status: str, *, by_provider: bool = False) -> bool:
    table = PROVIDER_MOVES if by_provider else MOVES
    return to_status in table.get(from_status, frozenset())


def reason_problem(to_status: str, reason: str, detail: str) -> str:
    """What is wrong with the reason given for a move, in plain words; "" when nothing is."""
    allowed = REASONS.get(to_status)
    if allowed is None:
        return ""
    if not reason:
        return f"Say why the referral is {ReferralStatus(to_status).label.lower()}."
    if reason not in allowed:
        return "Choose one of the reasons listed."
    if reason == R.OTHER and not detail.strip():
        return "Say what the other reason is."
    return ""

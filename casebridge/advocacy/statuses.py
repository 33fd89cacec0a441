"""An application's statuses and the moves between them: the one table the services enforce.

What the case manager helps a client apply for (Medicaid, SNAP, SSI, an insurance authorization
for a level of care ...) is prepared, then submitted; the agency or payer may ask for more
information (answered by submitting again), and decides: approved or denied. A denial may be
appealed: the appeal is an application of its own (`appeal_of` points at the denial) and the
denied application waits as "appealed" until the appeal is decided, then follows it (approved,
or denied again, which may be appealed again at the next level; a withdrawn appeal leaves the
denial standing). The client may withdraw at any point before a decision.

- Denied and withdrawn need a reason (one of the list; "other" needs words); more information
  requested needs words saying what was asked for (and the services ask for the deadline).
- Approved and withdrawn are final: nothing moves them again. A renewal, a recertification or a
  new authorization for continued stay is a new application. Denied is not final while it can be
  appealed; the appeal deadline on it shows on the caseload until it is appealed or cleared.
- Two moves the table allows are made only by their own service, as sending a referral is:
  denied -> appealed by starting the appeal (which makes the appeal's record), and every move
  out of appealed by deciding the appeal (so the two records never disagree).
"""

from django.db import models


class ApplicationStatus(models.TextChoices):
    PREPARING = "preparing", "Preparing"
    SUBMITTED = "submitted", "Submitted"
    MORE_INFO = "more-info", "More information requested"
    APPROVED = "approved", "Approved"
    DENIED = "denied", "Denied"
    APPEALED = "appealed", "Appealed"
    WITHDRAWN = "withdrawn", "Withdrawn"


S = ApplicationStatus

MOVES: dict[str, frozenset[str]] = {
    S.PREPARING: frozenset({S.SUBMITTED, S.WITHDRAWN}),
    S.SUBMITTED: frozenset({S.MORE_INFO, S.APPROVED, S.DENIED, S.WITHDRAWN}),
    # The agency may decide without the case manager having recorded the answer as sent.
    S.MORE_INFO: frozenset({S.SUBMITTED, S.APPROVED, S.DENIED, S.WITHDRAWN}),
    S.DENIED: frozenset({S.APPEALED}),
    S.APPEALED: frozenset({S.APPROVED, S.DENIED}),
    S.APPROVED: frozenset(),
    S.WITHDRAWN: frozenset(),
}

FINAL = frozenset(status for status, moves in MOVES.items() if not moves)
DECIDED = frozenset({S.APPROVED, S.DENIED})
# With the agency and not yet decided: a "decision expected by" date that passes is due.
AWAITING_DECISION = frozenset({S.SUBMITTED, S.MORE_INFO})
# Not closed: deadlines may be set on these.
OPEN = frozenset({S.PREPARING, S.SUBMITTED, S.MORE_INFO, S.DENIED, S.APPEALED})
# Moves only their own service makes (starting an appeal, deciding it).
THROUGH_APPEAL = frozenset(
    {(S.DENIED, S.APPEALED), (S.APPEALED, S.APPROVED), (S.APPEALED, S.DENIED)}
)


class Reason(models.TextChoices):
    """Why an application was denied or withdrawn (what the decision letter or the client said)."""

    INCOME = "income", "Income or assets over the limit"
    NOT_ELIGIBLE = "not-eligible", "Not eligible for another reason"
    MISSING_INFORMATION = "missing-information", "Information or papers missing"
    MISSED_DEADLINE = "missed-deadline", "A deadline or an interview was missed"
    NOT_NECESSARY = "not-necessary", "Not medically necessary (the payer's view)"
    CLIENT_DECIDED = "client-decided", "The client decided against it"
    NO_LONGER_NEEDED = "no-longer-needed", "No longer needed"
    OTHER_COVERAGE = "other-coverage", "Covered another way"
    UNREACHABLE = "unreachable", "The client could not be reached"
    IN_ERROR = "in-error", "Started by mistake"
    OTHER = "other", "Another reason (say which)"


R = Reason

REASONS: dict[str, frozenset[str]] = {
    S.DENIED: frozenset(
        {
            R.INCOME,
            R.NOT_ELIGIBLE,
            R.MISSING_INFORMATION,
            R.MISSED_DEADLINE,
            R.NOT_NECESSARY,
            R.OTHER,
        }
    ),
    S.WITHDRAWN: frozenset(
        {
            R.CLIENT_DECIDED,
            R.NO_LONGER_NEEDED,
            R.OTHER_COVERAGE,
            R.UNREACHABLE,
            R.IN_ERROR,
            R.OTHER,
        }
    ),
}

# Moves that need words saying what happened (what the agency asked for).
NEEDS_DETAIL: dict[str, str] = {S.MORE_INFO: "Say what the agency asked for."}


def is_allowed(from_status: str, to_status: str) -> bool:
    return to_status in MOVES.get(from_status, frozenset())


def reason_problem(to_status: str, reason: str, detail: str) -> str:
    """What is wrong with the reason and words given for a move, in plain words; "" when
    nothing is."""
    if to_status in NEEDS_DETAIL:
        return "" if detail.strip() else NEEDS_DETAIL[to_status]
    allowed = REASONS.get(to_status)
    if allowed is None:
        return ""
    if not reason:
        return f"Say why the application was {ApplicationStatus(to_status).label.lower()}."
    if reason not in allowed:
        return "Choose one of the reasons listed."
    if reason == R.OTHER and not detail.strip():
        return "Say what the other reason is."
    return ""

"""The application status table, over every pair of statuses: what may follow what, which moves
need a reason or words, and what is final."""

import itertools

import pytest

from casebridge.advocacy.statuses import (
    AWAITING_DECISION,
    DECIDED,
    FINAL,
    OPEN,
    REASONS,
    THROUGH_APPEAL,
    ApplicationStatus,
    Reason,
    is_allowed,
    reason_problem,
)

S = ApplicationStatus
ALLOWED = {
    (S.PREPARING, S.SUBMITTED),
    (S.PREPARING, S.WITHDRAWN),
    (S.SUBMITTED, S.MORE_INFO),
    (S.SUBMITTED, S.APPROVED),
    (S.SUBMITTED, S.DENIED),
    (S.SUBMITTED, S.WITHDRAWN),
    (S.MORE_INFO, S.SUBMITTED),
    (S.MORE_INFO, S.APPROVED),
    (S.MORE_INFO, S.DENIED),
    (S.MORE_INFO, S.WITHDRAWN),
    (S.DENIED, S.APPEALED),
    (S.APPEALED, S.APPROVED),
    (S.APPEALED, S.DENIED),
}
PAIRS = list(itertools.product(S, S))


@pytest.mark.parametrize(("from_status", "to_status"), PAIRS)
def test_every_pair_of_statuses(from_status, to_status):
    assert is_allowed(from_status, to_status) == ((from_status, to_status) in ALLOWED)


def test_approved_and_withdrawn_are_final_and_denied_waits_for_an_appeal():
    assert {S.APPROVED, S.WITHDRAWN} == FINAL
    assert S.DENIED not in FINAL and S.DENIED in DECIDED
    assert set(S) == OPEN | FINAL and not (OPEN & FINAL)
    assert {S.SUBMITTED, S.MORE_INFO} == AWAITING_DECISION


def test_the_appeal_moves_are_a_part_of_the_table():
    assert THROUGH_APPEAL <= ALLOWED
    assert {pair for pair in ALLOWED if S.APPEALED in pair} == THROUGH_APPEAL


@pytest.mark.parametrize("to_status", [S.DENIED, S.WITHDRAWN])
def test_denied_and_withdrawn_need_one_of_their_reasons(to_status):
    assert "Say why" in reason_problem(to_status, "", "")
    for reason in Reason:
        problem = reason_problem(to_status, reason, "")
        if reason not in REASONS[to_status]:
            assert problem == "Choose one of the reasons listed."
        elif reason == Reason.OTHER:
            assert problem == "Say what the other reason is."
            assert reason_problem(to_status, reason, "Moved out of state") == ""
        else:
            assert problem == ""


def test_more_information_requested_says_what_was_asked_for():
    assert reason_problem(S.MORE_INFO, "", " ") == "Say what the agency asked for."
    assert reason_problem(S.MORE_INFO, "", "Three pay stubs") == ""


@pytest.mark.parametrize("to_status", [S.PREPARING, S.SUBMITTED, S.APPROVED, S.APPEALED])
def test_other_moves_take_no_reason(to_status):
    assert reason_problem(to_status, "", "") == ""

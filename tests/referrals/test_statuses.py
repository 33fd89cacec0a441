"""The referral status table, over every pair of statuses: what may follow what, for the case
manager and for the provider, and which endings need which reasons."""

import itertools

import pytest

from casebridge.referrals.statuses import (
    FINAL,
    OPEN,
    REASONS,
    Reason,
    ReferralStatus,
    is_allowed,
    reason_problem,
)

S = ReferralStatus
ALLOWED = {
    (S.DRAFT, S.REQUESTED),
    (S.DRAFT, S.CANCELLED),
    (S.REQUESTED, S.RECEIVED),
    (S.REQUESTED, S.ACCEPTED),
    (S.REQUESTED, S.REJECTED),
    (S.REQUESTED, S.CANCELLED),
    (S.RECEIVED, S.ACCEPTED),
    (S.RECEIVED, S.REJECTED),
    (S.RECEIVED, S.CANCELLED),
    (S.ACCEPTED, S.IN_PROGRESS),
    (S.ACCEPTED, S.ON_HOLD),
    (S.ACCEPTED, S.COMPLETED),
    (S.ACCEPTED, S.CANCELLED),
    (S.ACCEPTED, S.FAILED),
    (S.IN_PROGRESS, S.ON_HOLD),
    (S.IN_PROGRESS, S.COMPLETED),
    (S.IN_PROGRESS, S.CANCELLED),
    (S.IN_PROGRESS, S.FAILED),
    (S.ON_HOLD, S.IN_PROGRESS),
    (S.ON_HOLD, S.CANCELLED),
    (S.ON_HOLD, S.FAILED),
}
PAIRS = list(itertools.product(S, S))


@pytest.mark.parametrize(("from_status", "to_status"), PAIRS)
def test_every_pair_of_statuses_for_the_case_manager(from_status, to_status):
    assert is_allowed(from_status, to_status) == ((from_status, to_status) in ALLOWED)


@pytest.mark.parametrize(("from_status", "to_status"), PAIRS)
def test_every_pair_for_the_provider_who_neither_sends_nor_cancels(from_status, to_status):
    expected = (from_status, to_status) in ALLOWED and to_status not in {S.REQUESTED, S.CANCELLED}
    assert is_allowed(from_status, to_status, by_provider=True) == expected


def test_the_four_endings_never_change_and_draft_is_not_open():
    assert {S.REJECTED, S.COMPLETED, S.CANCELLED, S.FAILED} == FINAL
    assert S.DRAFT not in OPEN and not (OPEN & FINAL)
    assert OPEN | FINAL | {S.DRAFT} == set(S)


def test_the_statuses_are_the_fhir_task_codes():
    fhir_task_codes = {
        "draft",
        "requested",
        "received",
        "accepted",
        "rejected",
        "in-progress",
        "on-hold",
        "completed",
        "cancelled",
        "failed",
    }
    assert set(S.values) == fhir_task_codes


@pytest.mark.parametrize("to_status", [S.REJECTED, S.CANCELLED, S.FAILED])
def test_declined_cancelled_and_failed_need_one_of_their_reasons(to_status):
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


def test_no_show_is_a_reason_a_referral_did_not_happen():
    assert reason_problem(S.FAILED, Reason.NO_SHOW, "") == ""
    assert reason_problem(S.REJECTED, Reason.NO_SHOW, "") != ""


@pytest.mark.parametrize("to_status", [s for s in S if s not in REASONS])
def test_other_moves_take_no_reason(to_status):
    assert reason_problem(to_status, "", "") == ""

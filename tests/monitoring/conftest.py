"""Shared fixtures for monitoring tests: a care plan in effect with one goal."""

import pytest

from tests.plans.helpers import ready_plan, sign_all


@pytest.fixture
def goal(world):
    """The one goal of the client's care plan in effect."""
    plan = sign_all(ready_plan(world), world)
    return plan.goals.get()

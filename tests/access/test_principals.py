"""The policy asks who is asking (staff, a partner organisation's user, a client) and answers
named rules about single objects, so capabilities add rules instead of checks in views."""

import pytest
from django.db.models import Q

from casebridge.access import policy
from casebridge.access.models import BreakGlassGrant
from casebridge.access.policy import PrincipalKind, may, principal_of
from casebridge.clients.models import Client
from casebridge.plans.models import PlanTask
from tests.plans.helpers import ready_plan, sign_all


@pytest.fixture
def partner(world, monkeypatch):
    """An account of a kind that is not staff, as a referral partner will be."""
    monkeypatch.setitem(policy.ROLE_KINDS, "partner_test", PrincipalKind.PARTNER)
    world.bob.role = "partner_test"
    world.bob.save()
    return world.bob


def test_staff_are_staff(world):
    principal = principal_of(world.alice)
    assert principal is not None and principal.kind == PrincipalKind.STAFF
    assert principal_of(None) is None


def test_a_principal_of_another_kind_reaches_nothing_until_a_rule_is_registered(world, partner):
    assert principal_of(partner).kind == PrincipalKind.PARTNER
    assert not Client.objects.restrict(partner, "view").exists()


def test_a_registered_reach_decides_what_a_partner_sees(world, partner, monkeypatch):
    def referred_clients(principal, action):
        return Q(pk=world.client.pk) if action == "view" else policy.NOTHING

    monkeypatch.setitem(policy.NON_STAFF_REACH, PrincipalKind.PARTNER, referred_clients)
    assert list(Client.objects.restrict(partner, "view")) == [world.client]
    assert not Client.objects.restrict(partner, "change").exists()


def test_only_staff_break_the_glass(world, partner):
    from datetime import timedelta

    from django.utils import timezone

    BreakGlassGrant.objects.create(
        user=partner,
        client=world.engagement_client,
        reason="not for partners",
        expires_at=timezone.now() + timedelta(hours=1),
    )
    assert not Client.objects.restrict(partner, "view").exists()


def test_staff_reach_is_not_registered(world):
    with pytest.raises(ValueError):
        policy.register_reach(PrincipalKind.STAFF, lambda principal, action: Q())


def test_the_task_owner_rule_follows_who_works_with_the_client(world):
    sign_all(ready_plan(world, owner=world.cody), world)
    task = PlanTask.objects.get()
    assert may(world.cody, "plans.record_own_task", task)
    assert not may(world.alice, "plans.record_own_task", task)  # not hers
    world.client.coach = None
    world.client.save()
    assert not may(world.cody, "plans.record_own_task", task)  # no longer works with them


def test_an_unknown_rule_is_a_bug_not_a_no(world):
    with pytest.raises(KeyError):
        may(world.alice, "nobody.registered_this", object())


def test_a_rule_name_cannot_be_taken_twice(world):
    with pytest.raises(ValueError):
        policy.register_object_rule("plans.record_own_task", lambda principal, obj: True)

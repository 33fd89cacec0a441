"""The access policy as a table: role x action x client, evaluated through the one queryset."""

from datetime import timedelta

import pytest
from django.utils import timezone

from casebridge.access.models import BreakGlassGrant
from casebridge.access.policy import Action
from casebridge.clients.models import Client

A = Action
ALL = set(Action)
# person: {client attribute on world: allowed actions}
EXPECTED = {
    "alice": {
        "client": ALL - {A.ASSIGN},
        "engagement_client": ALL - {A.ASSIGN},
        "foreign_client": set(),
    },
    "bob": {"client": set(), "engagement_client": set(), "foreign_client": set()},
    "sue": {"client": ALL, "engagement_client": ALL, "foreign_client": set()},
    "otto": {"client": set(), "engagement_client": set(), "foreign_client": set()},
    "cody": {
        "client": {A.VIEW, A.CHECK_IN},
        "engagement_client": set(),
        "foreign_client": set(),
    },
    "ivy": {
        "client": set(),
        "engagement_client": {
            A.VIEW,
            A.CHANGE,
            A.MOVE_STAGE,
            A.MANAGE_COLLATERALS,
            A.FLAG,
            A.MANAGE_CONSENTS,
            A.ASSESS,
            A.READ_CLINICAL,
            A.RECORD_CONTACT,
        },
        "foreign_client": set(),
    },
    "ada": {"client": set(), "engagement_client": set(), "foreign_client": set()},
    "aud": {"client": set(), "engagement_client": set(), "foreign_client": set()},
    "charlie": {"client": set(), "engagement_client": set(), "foreign_client": ALL - {A.ASSIGN}},
}


@pytest.mark.parametrize("person", sorted(EXPECTED))
@pytest.mark.parametrize("subject", ["client", "engagement_client", "foreign_client"])
@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("one_client", [False, True])
def test_policy_table(world, person, subject, action, one_client):
    """Both forms of the rules, the set to search and the test on one row, agree with it."""
    user = getattr(world, person)
    target = getattr(world, subject)
    reach = Client.objects.restrict(user, action, one_client=one_client)
    assert reach.filter(pk=target.pk).exists() == (action in EXPECTED[person][subject])


def test_switched_off_accounts_reach_nothing(world):
    world.alice.is_active = False
    world.alice.save()
    assert not Client.objects.restrict(world.alice, Action.VIEW).exists()


@pytest.mark.parametrize("one_client", [False, True])
def test_break_glass_grant_gives_view_only_until_it_expires(world, one_client):
    grant = BreakGlassGrant.objects.create(
        user=world.bob,
        client=world.client,
        reason="Client called in crisis",
        expires_at=timezone.now() + timedelta(minutes=30),
    )

    def may(action):
        reach = Client.objects.restrict(world.bob, action, one_client=one_client)
        return reach.filter(pk=world.client.pk).exists()

    assert may(Action.VIEW)
    assert may(Action.READ_CLINICAL)
    assert not may(Action.CHANGE)
    grant.expires_at = timezone.now() - timedelta(seconds=1)
    grant.save()
    assert not may(Action.VIEW)


def test_a_grant_never_crosses_organisations(world):
    BreakGlassGrant.objects.create(
        user=world.charlie,
        client=world.client,
        reason="should not work",
        expires_at=timezone.now() + timedelta(minutes=30),
    )
    assert (
        not Client.objects.restrict(world.charlie, Action.VIEW).filter(pk=world.client.pk).exists()
    )


@pytest.mark.parametrize("person", sorted(EXPECTED))
@pytest.mark.parametrize("subject", ["client", "engagement_client", "foreign_client"])
def test_allowed_actions_in_one_query_agrees_with_the_table(
    world, person, subject, django_assert_num_queries
):
    from casebridge.clients.queries import allowed_actions

    user, target = getattr(world, person), getattr(world, subject)
    user.programs.all()  # the policy reads programs in a subquery, not here
    with django_assert_num_queries(1):
        allowed = allowed_actions(user, target)
    assert allowed == {action.value for action in EXPECTED[person][subject]}


def test_a_coach_sees_what_coaching_needs_and_not_clinical_content(client, world):
    client.force_login(world.cody)
    page = client.get(f"/clients/{world.client.pk}/").content.decode()
    assert world.client.phone[-4:] in page.replace("-", "")
    assert "Date of birth" not in page and "Primary substances" not in page
    assert f"/clients/{world.client.pk}/measures/" not in page
    assert client.get(f"/clients/{world.client.pk}/measures/").status_code == 404
    assert client.get(f"/clients/{world.client.pk}/assessments/").status_code == 404
    client.force_login(world.alice)
    page = client.get(f"/clients/{world.client.pk}/").content.decode()
    assert "Date of birth" in page and f"/clients/{world.client.pk}/measures/" in page


@pytest.mark.parametrize("person", sorted(EXPECTED))
@pytest.mark.parametrize("subject", ["client", "engagement_client", "foreign_client"])
def test_a_page_reads_the_client_and_what_the_person_may_do_in_one_query(
    world, person, subject, django_assert_num_queries
):
    """client_for answers allowed_actions and user_may for its reader without asking again,
    and the answer is the table's."""
    from django.http import Http404

    from casebridge.clients.queries import allowed_actions, client_for, user_may

    user, target = getattr(world, person), getattr(world, subject)
    user.programs.all()
    try:
        with django_assert_num_queries(1):
            found = client_for(user=user, client_id=target.pk, audit=False)
    except Http404:
        assert A.VIEW not in EXPECTED[person][subject]
        return
    with django_assert_num_queries(0):
        allowed = allowed_actions(user, found)
        each = {action for action in Action if user_may(user, found, action)}
    assert allowed == each == {action.value for action in EXPECTED[person][subject]}


def test_the_carried_answer_is_only_for_its_reader_and_is_forgotten_on_save(
    world, django_assert_num_queries
):
    from casebridge.clients.queries import allowed_actions, client_for, user_may

    found = client_for(user=world.alice, client_id=world.client.pk, audit=False)
    # Someone else asking about the same object is asked of the policy.
    with django_assert_num_queries(1):
        assert allowed_actions(world.sue, found) == {action.value for action in ALL}
    with django_assert_num_queries(1):
        assert not user_may(world.bob, found, Action.VIEW)
    found.primary_case_manager = world.bob
    found.save()
    with django_assert_num_queries(1):
        assert not user_may(world.alice, found, Action.CHANGE)


def test_the_carried_answer_is_forgotten_when_the_client_is_read_again(world):
    """A change made without saving this object (another one, or an update of the row) reaches
    it through refresh_from_db: the policy is then asked again, not the answer of before."""
    from casebridge.clients.queries import client_for, user_may

    found = client_for(user=world.alice, client_id=world.client.pk, audit=False)
    assert user_may(world.alice, found, Action.CHANGE)
    Client.objects.filter(pk=found.pk).update(primary_case_manager=world.bob)
    found.refresh_from_db()
    assert not user_may(world.alice, found, Action.CHANGE)
    assert user_may(world.bob, found, Action.CHANGE)

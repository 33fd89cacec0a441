"""client_for compiles the policy's query once per shape (access.policy.prepared_shape) and runs
it with each person's values. Every role's prepared answer must be the policy's own answer,
asked the unprepared way (the set form of the rules, as a caseload asks it)."""

from datetime import timedelta
from unittest import mock

import pytest
from django.db.models.sql.compiler import SQLCompiler
from django.http import Http404
from django.utils import timezone

from casebridge.access.models import BreakGlassGrant
from casebridge.access.policy import Action, prepared_shape
from casebridge.accounts.models import Role
from casebridge.clients.models import Client, ClientFlag, FlagKind
from casebridge.clients.queries import client_for, reaches, user_may, works_with
from casebridge.prepared import PreparedExists
from tests.factories import ClientFactory, StaffFactory


def _policy_says(user, client, action, include_emergency):
    return (
        Client.objects.restrict(user, action, include_emergency=include_emergency)
        .filter(pk=client.pk)
        .exists()
    )


def _prepared_says(user, client, action, include_emergency, with_people):
    try:
        found = client_for(
            user=user,
            client_id=client.pk,
            action=action,
            audit=False,
            include_emergency=include_emergency,
            with_people=with_people,
        )
    except Http404:
        return None
    return found


@pytest.fixture
def crowd(world):
    """The world, plus a client bob is secondary case manager of, a client of the program otto
    supervises, and grants: bob's unexpired one on Jamie, alice's expired one on otto's client."""
    world.shared = ClientFactory(
        program=world.program,
        primary_case_manager=world.sue,
        secondary_case_manager=world.bob,
        coach=world.cody,
        registered_by=world.ivy,
        stage="engagement",
    )
    world.residential = ClientFactory(
        program=world.other_program, primary_case_manager=None, registered_by=world.otto
    )
    world.second_coach = StaffFactory(
        username="cora", organisation=world.org, role=Role.COACH, programs=[world.program]
    )
    now = timezone.now()
    for user, client, expires in (
        (world.bob, world.client, now + timedelta(minutes=30)),
        (world.alice, world.residential, now - timedelta(seconds=1)),
    ):
        BreakGlassGrant.objects.create(
            user=user, client=client, reason="Crisis call", expires_at=expires
        )
    return world


def _everyone(crowd):
    """A person of every role, another program's supervisor, a second coach, another agency."""
    return [
        crowd.alice,
        crowd.bob,
        crowd.sue,
        crowd.otto,
        crowd.cody,
        crowd.second_coach,
        crowd.ivy,
        crowd.ada,
        crowd.aud,
        crowd.charlie,
    ]


def test_every_role_gets_from_the_prepared_read_what_the_policy_gives(crowd):
    people = _everyone(crowd)
    clients = [
        crowd.client,
        crowd.engagement_client,
        crowd.foreign_client,
        crowd.shared,
        crowd.residential,
    ]
    compared = 0
    for user in people:
        for client in clients:
            every = {action for action in Action if _policy_says(user, client, action, True)}
            assert works_with(user, client.pk) == _policy_says(user, client, Action.VIEW, False)
            unread = Client.objects.get(pk=client.pk)  # no answer of client_for's on it
            for action in Action:
                assert user_may(user, unread, action) == (action in every), (user, action)
                for include_emergency in (True, False):
                    expected = _policy_says(user, client, action, include_emergency)
                    for with_people in (True, False):
                        found = _prepared_says(user, client, action, include_emergency, with_people)
                        where = (user.username, client.pk, action, include_emergency, with_people)
                        assert (found is not None) == expected, where
                        if found is not None:
                            assert found.pk == client.pk
                            if with_people:
                                assert found.actions_of == (user.pk, every), where
                                assert found.primary_case_manager == client.primary_case_manager
                                assert found.program.name == client.program.name
                        compared += 1
    assert compared == len(people) * len(clients) * len(Action) * 4


def test_a_grant_that_runs_out_closes_the_record_on_the_next_read(crowd):
    assert client_for(user=crowd.bob, client_id=crowd.client.pk, audit=False).pk == crowd.client.pk
    BreakGlassGrant.objects.filter(user=crowd.bob).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    with pytest.raises(Http404):
        client_for(user=crowd.bob, client_id=crowd.client.pk, audit=False)


def test_the_policy_query_is_compiled_once_for_everyone_of_a_role(crowd):
    compiled = []
    real = SQLCompiler.as_sql

    def counting(self, *args, **kwargs):
        if self.query.model is Client:
            compiled.append(self.query)
        return real(self, *args, **kwargs)

    # A question no earlier test asked, so it is compiled here first.
    action = Action.MANAGE_COLLATERALS
    with mock.patch.object(SQLCompiler, "as_sql", counting):
        client_for(user=crowd.alice, client_id=crowd.client.pk, action=action, audit=False)
        first = len(compiled)
        client_for(user=crowd.bob, client_id=crowd.shared.pk, action=action, audit=False)
        with pytest.raises(Http404):
            client_for(user=crowd.bob, client_id=crowd.client.pk, action=action, audit=False)
    assert first <= 1
    assert len(compiled) == first


def test_only_active_staff_of_a_role_that_reaches_clients_have_a_shape(crowd):
    assert prepared_shape(crowd.alice) == Role.CASE_MANAGER
    assert prepared_shape(crowd.sue) == Role.SUPERVISOR
    assert prepared_shape(crowd.ada) is None
    assert prepared_shape(crowd.aud) is None
    crowd.alice.is_active = False
    assert prepared_shape(crowd.alice) is None


def test_an_id_too_large_for_the_database_finds_nothing_rather_than_failing(crowd):
    huge = 2**70
    with pytest.raises(Http404):
        client_for(user=crowd.alice, client_id=huge, audit=False)
    assert works_with(crowd.alice, huge) is False
    from django.test import Client as Browser

    browser = Browser()
    browser.force_login(crowd.alice)
    assert browser.get(f"/clients/{huge}/").status_code == 404
    assert browser.get(f"/clients/{2**63}/plan/").status_code == 404


def test_every_role_gets_from_the_prepared_test_on_rows_what_the_policy_gives(crowd):
    """reaches(): rows of a client's record (here, flags) whose client the person may act on,
    with the policy's SQL compiled once per shape: the same rows as the policy's own test."""
    for client in Client.objects.all():
        ClientFlag.objects.create(client=client, kind=FlagKind.SAFETY, raised_by=crowd.sue)
    Client.objects.filter(pk=crowd.shared.pk).update(stage="conclusion")
    people = _everyone(crowd)
    prepared = 0
    for user in people:
        for action in Action:
            for include_emergency in (True, False):
                for open_only in (True, False):
                    policy = Client.objects.restrict(
                        user, action, include_emergency=include_emergency
                    )
                    if open_only:
                        policy = policy.exclude(stage="conclusion")
                    expected = set(
                        ClientFlag.objects.filter(client__in=policy).values_list("pk", flat=True)
                    )
                    test = reaches(
                        user, action, include_emergency=include_emergency, open_only=open_only
                    )
                    prepared += isinstance(test, PreparedExists)
                    found = set(ClientFlag.objects.filter(test).values_list("pk", flat=True))
                    where = (user.username, action, include_emergency, open_only)
                    assert found == expected, where
    assert prepared > len(Action) * 4 * 5  # most questions of the six staff are prepared


def test_the_prepared_test_on_rows_names_the_moment_a_grant_must_outlast(crowd):
    ClientFlag.objects.create(client=crowd.client, kind=FlagKind.SAFETY, raised_by=crowd.sue)
    flags = lambda: ClientFlag.objects.filter(  # noqa: E731
        reaches(crowd.bob, Action.READ_CLINICAL, include_emergency=True), client=crowd.client
    )
    assert flags().exists()
    BreakGlassGrant.objects.filter(user=crowd.bob).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert not flags().exists()

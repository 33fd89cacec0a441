"""A prepared query (casebridge.prepared) gives what its queryset gives, compiles its SQL once,
and puts each run's values where its markers stood."""

import uuid
from unittest import mock

import pytest
from django.db.models import Count
from django.db.models.sql.compiler import SQLCompiler

from casebridge.accounts.devices import authenticator_checks
from casebridge.accounts.models import ApiToken
from casebridge.accounts.services import api_token_create
from casebridge.clients.models import Client
from casebridge.plans.models import CarePlan, Problem
from casebridge.prepared import Prepared
from tests.plans.helpers import ready_plan


def _tokens(prefix):
    return (
        ApiToken.objects.select_related("user", "user__organisation")
        .annotate(**authenticator_checks("user"))
        .filter(prefix=prefix)
        .order_by()
    )


def _fields(instance):
    return {
        field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields
    }


def test_rows_related_rows_and_annotations_are_read_as_the_queryset_reads_them(
    world, django_assert_num_queries
):
    prepared = Prepared(_tokens, prefix="«marker»")
    made = [
        api_token_create(user=person, name="Script", days=7)[0]
        for person in (world.alice, world.charlie)
    ]
    for token in made:
        [expected] = list(_tokens(token.prefix))
        with django_assert_num_queries(1):
            [found] = prepared(prefix=token.prefix)
            # The owner and the organisation came in the same query.
            assert _fields(found.user.organisation) == _fields(expected.user.organisation)
        assert type(found) is ApiToken and found._state.adding is False
        assert _fields(found) == _fields(expected)
        assert _fields(found.user) == _fields(expected.user)
        assert [getattr(found, name) for name in authenticator_checks("user")] == [
            getattr(expected, name) for name in authenticator_checks("user")
        ]
    assert prepared(prefix="cb_nothing00") == []


def test_values_the_database_keeps_in_its_own_form_are_turned_into_python_values(world):
    plan = ready_plan(world)
    CarePlan.objects.filter(pk=plan.pk).update(locked_at=plan.created_at)
    prepared = Prepared(
        lambda client_id: (
            Problem.objects.select_related("plan").filter(plan__client_id=client_id).order_by("pk")
        ),
        client_id=-1_999_999,
    )
    found = prepared(client_id=world.client.pk)
    expected = list(Problem.objects.filter(plan__client_id=world.client.pk).order_by("pk"))
    assert found and [_fields(row) for row in found] == [_fields(row) for row in expected]
    assert [_fields(row.plan) for row in found] == [_fields(row.plan) for row in expected]
    # A UUID and a datetime with its zone, whichever form the database keeps them in.
    assert isinstance(found[0].key, uuid.UUID) and found[0].key == expected[0].key
    assert found[0].plan.locked_at == plan.created_at and found[0].plan.locked_at.tzinfo


def test_deferred_fields_are_read_when_asked_for(world):
    ready_plan(world)
    prepared = Prepared(
        lambda client_id: CarePlan.objects.filter(client_id=client_id).only("status"),
        client_id=-1_999_999,
    )
    [found] = prepared(client_id=world.client.pk)
    assert found.get_deferred_fields() and found.sequence == 1


def test_the_sql_is_built_once_and_each_run_has_its_own_values(world):
    prepared = Prepared(
        lambda pk: Client.objects.filter(pk=pk).annotate(flags_made=Count("flags")),
        pk=-1_999_999,
    )
    expected = {client.pk: client.flags.count() for client in Client.objects.all()}
    assert len(expected) > 1
    with mock.patch.object(
        SQLCompiler, "as_sql", autospec=True, side_effect=SQLCompiler.as_sql
    ) as compiled:
        found = {pk: prepared(pk=pk) for pk in expected}
    assert compiled.call_count == 1
    assert {pk: [(row.pk, row.flags_made) for row in rows] for pk, rows in found.items()} == {
        pk: [(pk, flags)] for pk, flags in expected.items()
    }


def test_a_marker_that_is_not_a_parameter_of_its_own_is_refused():
    unused = Prepared(lambda pk: Client.objects.filter(pk=1), pk=-1_999_999)
    with pytest.raises(ValueError, match="not parameters"):
        unused(pk=1)
    prepared = Prepared(lambda pk: Client.objects.filter(pk=pk), pk=-1_999_999)
    with pytest.raises(TypeError):
        prepared(pk="1")
    with pytest.raises(TypeError):
        prepared(pk=1, other=2)
    with pytest.raises(TypeError):
        Prepared(lambda: Client.objects.all())


def test_a_fetch_mode_that_gathers_peers_is_refused(world):
    """The related-row readers are shared by every run: one request's rows must never become
    the peers of another's."""
    from django.db.models import FETCH_PEERS

    prepared = Prepared(
        lambda pk: Client.objects.fetch_mode(FETCH_PEERS).filter(pk=pk), pk=-1_999_999
    )
    with pytest.raises(ValueError, match="peers"):
        prepared(pk=world.client.pk)


def test_a_date_and_time_marker_takes_each_runs_moment_as_the_database_keeps_it(world):
    """On SQLite a date and time reaches the database as text in UTC, on PostgreSQL as it is:
    either way a run's moment goes where the marker stood."""
    from datetime import UTC, datetime, timedelta

    from django.utils import timezone

    from casebridge.access.models import BreakGlassGrant

    ends = timezone.now()
    grant = BreakGlassGrant.objects.create(
        user=world.bob, client=world.client, reason="Crisis call", expires_at=ends
    )
    prepared = Prepared(
        lambda after, user: BreakGlassGrant.objects.filter(expires_at__gt=after, user_id=user),
        after=datetime(1901, 1, 1, 0, 0, 0, 1, tzinfo=UTC),
        user=-1_999_999,
    )
    before, later = ends - timedelta(microseconds=1), ends + timedelta(microseconds=1)
    assert [found.pk for found in prepared(after=before, user=world.bob.pk)] == [grant.pk]
    assert prepared(after=ends, user=world.bob.pk) == []
    assert prepared(after=later, user=world.bob.pk) == []
    with pytest.raises(TypeError, match="time zone"):
        prepared(after=before.replace(tzinfo=None), user=world.bob.pk)


def test_an_optional_marker_may_be_left_out_of_the_sql_and_only_it(db):
    build = lambda pk, at: Client.objects.filter(pk=pk)  # noqa: E731
    markers = {"pk": -1_999_999, "at": "«never»"}
    assert Prepared(build, optional=frozenset({"at"}), **markers)(pk=1, at="x") == []
    with pytest.raises(ValueError, match="not parameters"):
        Prepared(build, **markers)(pk=1, at="x")
    with pytest.raises(TypeError, match="optional"):
        Prepared(build, optional=frozenset({"when"}), **markers)

"""A prepared query (casebridge.prepared) gives what its queryset gives, compiles its SQL once,
and puts each run's values where its markers stood."""

import uuid
from unittest import mock

import pytest
from django.db.models import Count, Exists, F, OuterRef, Q, Value
from django.db.models.sql.compiler import SQLCompiler

from casebridge.accounts.devices import authenticator_checks
from casebridge.accounts.models import ApiToken
from casebridge.accounts.services import api_token_create
from casebridge.clients.models import Client, ClientFlag, FlagKind
from casebridge.plans.models import CarePlan, Problem
from casebridge.prepared import Prepared, PreparedExists
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


# PreparedExists: a correlated EXISTS compiled once


def _flags_everywhere(world):
    for client in Client.objects.all():
        ClientFlag.objects.create(client=client, kind=FlagKind.SAFETY, raised_by=world.sue)
        ClientFlag.objects.create(client=client, kind=FlagKind.OTHER, raised_by=world.sue)


def _in_program(key, program_id, outer_field="client_id", build=None):
    def in_program(outer, program):
        return Client.objects.filter(program_id=program, pk=outer)

    return PreparedExists(
        build or in_program,
        key=key,
        outer_field=outer_field,
        markers={"outer": -1_999_999, "program": -1_999_998},
        values={"program": program_id},
    )


def _as_django_says(program_id, outer_field="client_id"):
    return Exists(Client.objects.filter(program_id=program_id, pk=OuterRef(outer_field)))


def test_a_prepared_exists_keeps_the_rows_exists_keeps_and_is_built_once(world):
    _flags_everywhere(world)
    built = []

    def in_program(outer, program):
        built.append(program)
        return Client.objects.filter(program_id=program, pk=outer)

    key = ("flags in a program", uuid.uuid4())
    programs = [world.program.pk, world.other_program.pk, world.foreign_client.program_id]
    seen = []
    for program_id in programs:
        found = ClientFlag.objects.filter(_in_program(key, program_id, build=in_program))
        expected = ClientFlag.objects.filter(_as_django_says(program_id))
        seen.append(expected.count())
        assert sorted(found.values_list("pk", flat=True)) == sorted(
            expected.values_list("pk", flat=True)
        )
    assert seen[0] > 0 and seen[2] > 0 and seen[1] == 0
    assert len(built) == 1  # compiled for the first program, run with each one's value
    flagged = Client.objects.annotate(
        mine=_in_program(key, world.program.pk, outer_field="pk")
    ).values_list("pk", "mine")
    assert dict(flagged) == {
        client.pk: client.program_id == world.program.pk for client in Client.objects.all()
    }


def test_a_prepared_exists_on_the_table_it_reads_keeps_the_outer_row_apart(world):
    """The outer query and the EXISTS both read clients: the inner query's own aliases keep
    its table apart from the outer row's column."""
    key = ("clients in a program", uuid.uuid4())
    found = Client.objects.filter(_in_program(key, world.program.pk, outer_field="pk"))
    assert sorted(found.values_list("pk", flat=True)) == sorted(
        Client.objects.filter(program=world.program).values_list("pk", flat=True)
    )
    assert 0 < found.count() < Client.objects.count()


def test_a_prepared_exists_inside_a_subquery_and_a_union_reads_the_right_rows(world):
    _flags_everywhere(world)
    key = ("flags in a program, nested", uuid.uuid4())
    program_id = world.program.pk
    flags = ClientFlag.objects.filter(_in_program(key, program_id)).order_by()
    # The flags' query inside the clients' one: its aliases move, and so does the column.
    clients = Client.objects.filter(pk__in=flags.values("client_id"))
    assert set(clients.values_list("program_id", flat=True)) == {program_id}
    assert clients.count() == Client.objects.filter(program_id=program_id).count()
    # The same EXISTS in two queries at two depths, compiled for each depth.
    both = Client.objects.filter(
        _in_program(key, program_id, outer_field="pk"), pk__in=flags.values("client_id")
    )
    assert both.count() == clients.count()
    safety = flags.filter(kind=FlagKind.SAFETY).values_list("pk", flat=True)
    other = flags.filter(kind=FlagKind.OTHER).values_list("pk", flat=True)
    united = sorted(safety.union(other, all=True).order_by())
    expected = ClientFlag.objects.filter(_as_django_says(program_id))
    assert united == sorted(expected.values_list("pk", flat=True))


def test_a_prepared_exists_refuses_what_it_cannot_compile(world):
    markers = {"outer": -1_999_999, "program": -1_999_998}

    def condition(build, key, values=None):
        return PreparedExists(
            build,
            key=(key, uuid.uuid4()),
            outer_field="client_id",
            markers=markers,
            values=values or {"program": 1},
        )

    twice = condition(
        lambda outer, program: Client.objects.filter(
            Q(pk=outer) | Q(primary_case_manager_id=outer), program_id=program
        ),
        "twice",
    )
    with pytest.raises(ValueError, match="told apart"):
        list(ClientFlag.objects.filter(twice))
    unused = condition(lambda outer, program: Client.objects.filter(pk=outer), "unused")
    with pytest.raises(ValueError, match="not parameters"):
        list(ClientFlag.objects.filter(unused))
    with pytest.raises(TypeError):
        condition(lambda outer, program: Client.objects.all(), "bad", values={"program": "1"})
    with pytest.raises(TypeError):
        condition(lambda outer, program: Client.objects.all(), "bad", values={"outer": 1})


def test_a_prepared_exists_takes_an_outer_value_with_parameters_of_its_own_and_negates(world):
    """The outer value can be an expression with parameters (here client_id + 0), with markers
    on both sides of it in the SQL; `exclude()` keeps the other rows."""
    _flags_everywhere(world)

    def of(outer, program, stage):
        return Client.objects.filter(program_id=program, pk=outer).exclude(stage=stage)

    def condition(program_id, stage):
        return PreparedExists(
            of,
            key=("an outer value with parameters", uuid.uuid4()),
            outer_field="shifted",
            markers={"outer": -1_999_999, "program": -1_999_998, "stage": "«no stage»"},
            values={"program": program_id, "stage": stage},
        )

    flags = ClientFlag.objects.annotate(shifted=F("client_id") + Value(0)).order_by()
    for program_id in (world.program.pk, world.foreign_client.program_id):
        for stage in ("monitoring", "engagement"):
            expected = Exists(
                Client.objects.filter(program_id=program_id, pk=OuterRef("client_id")).exclude(
                    stage=stage
                )
            )
            kept = set(ClientFlag.objects.filter(expected).values_list("pk", flat=True))
            found = set(flags.filter(condition(program_id, stage)).values_list("pk", flat=True))
            left = set(flags.exclude(condition(program_id, stage)).values_list("pk", flat=True))
            assert found == kept
            assert left == set(ClientFlag.objects.values_list("pk", flat=True)) - kept


def _runs_by_name(prepared) -> int:
    """How often PostgreSQL ran the prepared query's statement by name on this connection."""
    from django.db import connection

    parts = prepared._compiled.sql.split("%s")
    text = parts[0] + "".join(f"${n}{part}" for n, part in enumerate(parts[1:], 1))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans + custom_plans FROM pg_prepared_statements WHERE statement = %s",
            [text],
        )
        return sum(n for (n,) in cursor.fetchall())


def _on_postgresql():
    from django.db import connection

    return connection.vendor == "postgresql"


def _client_by_id():
    return Prepared(lambda pk: Client.objects.filter(pk=pk), pk=-(2**31) + 7)


def test_on_postgresql_a_prepared_query_is_parsed_and_planned_once_per_connection(world):
    """And run by name after that, its values sent apart; logged as any other query is, with
    its values in place. Elsewhere it runs as any other query."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    prepared = _client_by_id()
    assert [c.pk for c in prepared(pk=world.client.pk)] == [world.client.pk]
    before = _runs_by_name(prepared) if _on_postgresql() else 0
    with CaptureQueriesContext(connection) as captured:
        for client in (world.client, world.engagement_client, world.client):
            assert [c.pk for c in prepared(pk=client.pk)] == [client.pk]
    assert len(captured) == 3
    assert f'"clients_client"."id" = {world.engagement_client.pk}' in captured[1]["sql"]
    if _on_postgresql():
        assert before >= 1 and _runs_by_name(prepared) == before + 3


def test_prepared_statements_can_be_turned_off_for_a_pooler(world, settings):
    prepared = _client_by_id()
    assert [c.pk for c in prepared(pk=world.client.pk)] == [world.client.pk]
    before = _runs_by_name(prepared) if _on_postgresql() else 0
    settings.DATABASE_PREPARED_STATEMENTS = False
    assert [c.pk for c in prepared(pk=world.client.pk)] == [world.client.pk]
    if _on_postgresql():
        assert _runs_by_name(prepared) == before

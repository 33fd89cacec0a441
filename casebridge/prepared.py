"""Queries whose SQL is built once and then run with new values: the few every API call runs.

Django builds a queryset and compiles its SQL on each run. For a lookup of one row by one key
(an API token by its prefix, a client's plan versions) that is most of what the lookup costs:
about a millisecond of processor against a tenth for the database. A `Prepared` query is built
from a queryset whose variable values are markers; the first run compiles it, and each run
puts its values where the markers stood and reads the rows into model instances as the
queryset would (related rows from select_related, annotations, deferred fields).

Only a value's place changes between runs, never the query's shape, so it suits queries
whose shape is fixed. The access policy's shape depends on who asks: client_for prepares one
per shape the policy names (access.policy.prepared_shape), never one for everybody.
"""

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

import psycopg
from django.conf import settings
from django.db import connections
from django.db.backends.utils import CursorDebugWrapper
from django.db.models import BooleanField, Exists, Expression, F, Model, QuerySet
from django.db.models.query import get_related_populators
from django.db.models.sql import Query

type Value = int | str | datetime


@dataclass(frozen=True)
class _Compiled:
    alias: str
    sql: str
    params: tuple[Any, ...]
    slots: tuple[tuple[int, str], ...]  # (position in params, name of the value)
    model: type[Model]
    start: int
    end: int
    init_list: list[str]
    populators: list[Any]
    annotations: dict[str, int]
    converters: dict[int, tuple[list[Any], Any]]
    from_db: Callable[..., Model]


class Prepared[M: Model]:
    """`Prepared(lambda key: Model.objects.filter(key=key), key="<a marker>")`, then
    `prepared(key=value)`: the rows, as the queryset built with `value` would give them.

    Each marker is an int, a str or an aware datetime no real query would carry as a constant;
    it must reach the SQL as a parameter of its own (a filter on a field that keeps ints or strs
    as they are, or on a date-and-time field). A marker named in `optional` may be left out of
    the SQL by some builds; its value is then not used."""

    def __init__(
        self,
        build: Callable[..., QuerySet[M]],
        *,
        optional: frozenset[str] = frozenset(),
        **markers: Value,
    ) -> None:
        if not markers:
            raise TypeError("A prepared query needs at least one marker.")
        if not optional <= markers.keys():
            raise TypeError("An optional marker must be one of the markers.")
        self._build = build
        self._markers = markers
        self._optional = optional
        self._compiled: _Compiled | None = None  # on the first run, for the database it reads

    def __call__(self, **values: Value) -> list[M]:
        if values.keys() != self._markers.keys():
            raise TypeError(f"Give exactly these values: {', '.join(sorted(self._markers))}.")
        for name, value in values.items():
            if type(value) is not type(self._markers[name]):
                raise TypeError(f"{name} must be {type(self._markers[name]).__name__}.")
        compiled = self._compiled
        if compiled is None:
            queryset = self._build(**self._markers)
            compiled = self._compiled = self._compile(queryset, queryset.db)
        connection = connections[compiled.alias]
        params = list(compiled.params)
        for position, name in compiled.slots:
            params[position] = _adapted(values[name], connection)
        with statement_cursor(connection) as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        return self._instances(compiled, rows)

    def _compile(self, queryset: QuerySet[M], alias: str) -> _Compiled:
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        slots = _slots(params, self._markers, self._optional, connections[alias])
        select, klass_info = compiler.select, compiler.klass_info
        if klass_info is None:
            raise ValueError("A prepared query reads model instances (not values()).")
        fields = [column[0] for column in select[: compiler.col_count]]
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        fetch_mode = queryset._fetch_mode  # type: ignore[attr-defined]
        if getattr(fetch_mode, "track_peers", False):
            # Its related-row readers are made once and shared by every run and thread: rows
            # of one request must not become the peers of another's.
            raise ValueError("A prepared query cannot use a fetch mode that tracks peers.")
        return _Compiled(
            alias=alias,
            sql=sql,
            params=tuple(params),
            slots=slots,
            model=klass_info["model"],
            start=start,
            end=end,
            init_list=[column[0].target.attname for column in select[start:end]],
            populators=get_related_populators(klass_info, select, alias, fetch_mode),
            annotations=dict(compiler.annotation_col_map or {}),
            converters=compiler.get_converters(fields),
            from_db=partial(klass_info["model"].from_db, fetch_mode=fetch_mode),
        )

    @staticmethod
    def _instances(compiled: _Compiled, rows: list[Any]) -> list[Any]:
        alias = compiled.alias
        connection = connections[alias]
        made: list[Any] = []
        for raw in rows:
            row = list(raw)
            # What the database gives back, turned into Python values as the ORM turns them.
            for position, (converters, expression) in compiled.converters.items():
                value = row[position]
                for converter in converters:
                    value = converter(value, expression, connection)
                row[position] = value
            instance = compiled.from_db(
                alias, compiled.init_list, row[compiled.start : compiled.end]
            )
            for populator in compiled.populators:
                populator.populate(row, instance)
            for name, position in compiled.annotations.items():
                setattr(instance, name, row[position])
            made.append(instance)
        return made


def _slots(
    params: Sequence[Any], markers: dict[str, Value], optional: frozenset[str], connection: Any
) -> tuple[tuple[int, str], ...]:
    """Where each marker stands among the SQL's parameters: (position, name) pairs. A marker
    that is not a parameter of its own (and not optional) is refused."""
    adapted = {name: _adapted(marker, connection) for name, marker in markers.items()}
    slots = tuple(
        (position, name)
        for position, param in enumerate(params)
        for name, marker in adapted.items()
        if type(param) is type(marker) and param == marker
    )
    missing = set(markers) - optional - {name for _, name in slots}
    if missing:
        raise ValueError(f"These markers are not parameters of the SQL: {sorted(missing)}.")
    return slots


def _adapted(value: Value, connection: Any) -> Any:
    """A value as the database is given it: a date and time as a date-and-time field gives it
    (on SQLite, text in UTC), anything else as it is."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise TypeError("A prepared query's date and time must be aware of its time zone.")
        return connection.ops.adapt_datetimefield_value(value)
    return value


@dataclass(frozen=True)
class _Condition:
    before: str  # the SQL up to where the outer row's column goes
    after: str
    before_count: int  # how many of the parameters are in `before`
    params: tuple[Any, ...]
    slots: tuple[tuple[int, str], ...]  # (position in params, name of the value)


class PreparedExists(Expression):
    """`EXISTS (the queryset's rows)` for each row of the query it filters, tested row by row as
    Django's `Exists(... pk=OuterRef(outer))` is, with its SQL compiled once per `key`.

    `build(**markers)` makes the queryset for the marker values. The marker named `outer` is
    one the queryset compares with a column of its own (say `pk=outer`): in the SQL, that
    comparison's parameter becomes the outer row's column, the field path `outer_field`. Markers are as
    for Prepared. Everything the queryset's SQL depends on but the values must be in `key`:
    two builds with one key must differ only in the values. What the SQL cannot be made from
    (a marker folded into the SQL or into another value, or an outer marker used twice
    over) is refused with ValueError at the first compile."""

    conditional = True
    output_field = BooleanField()
    _compiled: dict[tuple[Any, ...], _Condition] = {}

    def __init__(
        self,
        build: Callable[..., QuerySet[Any]],
        *,
        key: tuple[Any, ...],
        outer_field: str,
        markers: dict[str, Value],
        values: dict[str, Value],
        optional: frozenset[str] = frozenset(),
    ) -> None:
        super().__init__()
        if "outer" not in markers or values.keys() != markers.keys() - {"outer"}:
            raise TypeError("Give a marker named outer, and a value for each of the others.")
        for name, value in values.items():
            if type(value) is not type(markers[name]):
                raise TypeError(f"{name} must be {type(markers[name]).__name__}.")
        self.build, self.key = build, key
        self.markers, self.values, self.optional = markers, values, optional
        self.column: Any = F(outer_field)

    def get_source_expressions(self) -> list[Any]:
        return [self.column]

    def set_source_expressions(self, exprs: Sequence[Any]) -> None:
        (self.column,) = exprs

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, Any]:
        prefix = compiler.query.alias_prefix
        # The build's own name too: two callers that chose the same key never share SQL.
        cache_key = (
            self.build.__module__,
            self.build.__qualname__,
            self.key,
            connection.alias,
            prefix,
        )
        condition = self._compiled.get(cache_key)
        if condition is None:
            condition = self._compiled[cache_key] = self._compile(compiler, connection)
        column, column_params = compiler.compile(self.column)
        params = list(condition.params)
        for position, name in condition.slots:
            params[position] = _adapted(self.values[name], connection)
        split = condition.before_count
        sql = condition.before + column + condition.after
        return sql, [*params[:split], *column_params, *params[split:]]

    def _compile(self, compiler: Any, connection: Any) -> _Condition:
        # A throwaway outer query with the real one's alias prefix: the subquery's own aliases
        # then come out as they would in the real one, clear of the outer query's.
        outer = Query(compiler.query.model)
        outer.alias_prefix = compiler.query.alias_prefix
        exists = Exists(self.build(**self.markers)).resolve_expression(outer)
        sql, params = outer.get_compiler(connection=connection).compile(exists)
        found = _slots(params, self.markers, self.optional, connection)
        places = [position for position, name in found if name == "outer"]
        if "%%" in sql or sql.count("%s") != len(params) or len(places) != 1:
            raise ValueError("The SQL's parameters cannot be told apart from its text.")
        pieces = sql.split("%s")
        (place,) = places
        # The outer marker's placeholder becomes the column; the others stay placeholders.
        kept = [param for position, param in enumerate(params) if position != place]
        slots = tuple(
            (position - (position > place), name) for position, name in found if name != "outer"
        )
        return _Condition(
            before="%s".join(pieces[: place + 1]),
            after="%s".join(pieces[place + 1 :]),
            before_count=place,
            params=tuple(kept),
            slots=slots,
        )


@contextmanager
def statement_cursor(connection: Any) -> Iterator[Any]:
    """A cursor for statements whose text never changes (a Prepared query, the audit trail's
    append): on PostgreSQL each is parsed and planned once per connection and then only run
    with new values, a named statement of the connection's (psycopg's `prepare=True`, values
    sent apart from the text). Planning alone was about a millisecond of every client page's
    read of the client. Elsewhere, or with DATABASE_PREPARED_STATEMENTS off (a pooler that
    cannot keep them), Django's own cursor.

    It is Django's cursor wrapper around the connection's psycopg one, so it is logged, counted
    and wrapped (connection.execute_wrapper) as every other query is."""
    if connection.vendor != "postgresql" or not settings.DATABASE_PREPARED_STATEMENTS:
        with connection.cursor() as cursor:
            yield cursor
        return
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    with connection.wrap_database_errors:
        raw = _PreparingCursor(connection.connection)
    cursor = (
        _LoggedAsAnyOther(raw, connection)
        if connection.queries_logged
        else connection.make_cursor(raw)
    )
    try:
        yield cursor
    finally:
        raw.close()


class _PreparingCursor(psycopg.Cursor[Any]):
    """Every statement prepared (the connection prepares none by itself: Django turns that off
    for the sake of connection poolers)."""

    def execute(self, query: Any, params: Any = None, **options: Any) -> Any:
        return super().execute(query, params, **{**options, "prepare": True})


class _LoggedAsAnyOther(CursorDebugWrapper):
    """Where queries are logged (DEBUG, tests), a prepared statement is logged as Django logs
    any other: its SQL with the values in place (psycopg keeps no text of a statement it ran by
    name)."""

    def debug_sql(
        self,
        sql: Any = None,
        params: Any = None,
        use_last_executed_query: bool = False,
        many: bool = False,
    ) -> Any:
        if use_last_executed_query and sql is not None and not many:
            sql = self.db.ops.compose_sql(sql, params)
        return super().debug_sql(sql, params, use_last_executed_query=False, many=many)

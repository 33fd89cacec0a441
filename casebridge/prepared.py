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

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators

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
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        return self._instances(compiled, rows)

    def _compile(self, queryset: QuerySet[M], alias: str) -> _Compiled:
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        adapted = {
            name: _adapted(marker, connections[alias]) for name, marker in self._markers.items()
        }
        slots = tuple(
            (position, name)
            for position, param in enumerate(params)
            for name, marker in adapted.items()
            if type(param) is type(marker) and param == marker
        )
        missing = set(self._markers) - self._optional - {name for _, name in slots}
        if missing:
            raise ValueError(f"These markers are not parameters of the SQL: {sorted(missing)}.")
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


def _adapted(value: Value, connection: Any) -> Any:
    """A value as the database is given it: a date and time as a date-and-time field gives it
    (on SQLite, text in UTC), anything else as it is."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise TypeError("A prepared query's date and time must be aware of its time zone.")
        return connection.ops.adapt_datetimefield_value(value)
    return value

"""Rows written in bulk without model instances, the quickest way each database has: `generate`
uses it for the millions of rows of a benchmark's synthetic organisation."""

from datetime import datetime
from functools import partial
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models import Max

MISSING = object()


class Table:
    """One table's new rows, numbered here and written in bulk the quickest way the database
    has: COPY on PostgreSQL, one executemany elsewhere. No model instance is made, which is
    what makes it several times quicker than bulk_create; a column not given takes the field's
    default (the time of writing for an automatic time), and the database checks its
    constraints as ever. Nobody else may be adding rows to the table meanwhile: the ids follow
    the largest there was, and the id sequence is moved past them afterwards (Tables.finish)."""

    def __init__(self, model: type[models.Model], now: datetime) -> None:
        self.model = model
        self.database = connections[DEFAULT_DB_ALIAS]  # not the proxy: it costs on each use
        self.fields = list(model._meta.concrete_fields)
        self.pk_name = model._meta.pk.attname if model._meta.pk else "id"
        self.spec: list[tuple[str, Any, Any]] = []  # (attribute, conversion or None, default)
        for column in self.fields:
            # Handed to the driver as the field would hand it (JSON as the backend wants it,
            # times and UUIDs as text for SQLite); psycopg takes them as they are.
            convert = None
            if isinstance(column, models.JSONField) or (
                isinstance(column, (models.DateField, models.TimeField, models.UUIDField))
                and self.database.vendor != "postgresql"
            ):
                convert = partial(column.get_db_prep_save, connection=self.database)
            default: Any = MISSING
            if column.primary_key:
                pass
            elif getattr(column, "auto_now", False) or getattr(column, "auto_now_add", False):
                default = convert(now) if convert else now
            else:
                # As a model instance starts: the field's default, "" for text, else None.
                value = column.get_default()
                if value is not None:
                    default = convert(value) if convert else value
                elif column.null:
                    default = None
            self.spec.append((column.attname, convert, default))
        largest = model._base_manager.aggregate(largest=Max("pk"))["largest"]
        self.next_id = (largest or 0) + 1
        self.rows: list[list[Any]] = []

    def add(self, **values: Any) -> int:
        """Add a row of these column values (by attribute: `client_id`); returns its id."""
        pk = self.next_id
        self.next_id += 1
        values[self.pk_name] = pk
        row = []
        used = 0
        for name, convert, default in self.spec:
            value = values.get(name, MISSING)
            if value is MISSING:
                if default is MISSING:
                    raise TypeError(f"{self.model.__name__} needs {name}")
                row.append(default)
                continue
            used += 1
            row.append(convert(value) if convert and value is not None else value)
        if used != len(values):
            unknown = set(values) - {name for name, _, _ in self.spec}
            raise TypeError(f"{self.model.__name__} has no {', '.join(sorted(unknown))}")
        self.rows.append(row)
        return pk

    def add_object(self, instance: models.Model) -> None:
        """Add an unsaved instance (its fields left empty take their defaults); it gets its id."""
        values = {
            column.attname: getattr(instance, column.attname)
            for column in self.fields
            if not column.primary_key and getattr(instance, column.attname) is not None
        }
        instance.pk = self.add(**values)
        instance._state.adding = False
        instance._state.db = self.database.alias

    def flush(self) -> None:
        if not self.rows:
            return
        quote = self.database.ops.quote_name
        table = quote(self.model._meta.db_table)
        columns = ", ".join(quote(column.column or column.attname) for column in self.fields)
        with self.database.cursor() as cursor:
            if self.database.vendor == "postgresql":
                copy_sql = f"COPY {table} ({columns}) FROM STDIN"
                with cursor.cursor.copy(copy_sql) as copy:
                    for row in self.rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(self.fields))
                # Table and column names come from the models, never from input.
                insert = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608
                cursor.executemany(insert, self.rows)
        self.rows = []

"""Reading an HSDS 3.0 file into flat rows, table by table, each with where it came from.

Three forms are read: the tabular form (a folder of CSV files described by datapackage.json, or
that folder as a .zip), the tabular JSON form (one object of table name to rows, as
schema/compiled/tabular.json), and the nested JSON of the HSDS API (a service, organization,
service_at_location... with its related records inside it, alone, in a list, or in a page of
results with "contents"). Nested records are unfolded into their own tables, and the reference
to the record they sat in is filled in when the file left it out.
"""

import csv
import io
import json
import math
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from casebridge.directory.hsds import spec

# The largest file read, so a mistaken path (or a hostile upload) cannot exhaust memory.
MAX_BYTES = 512 * 1024 * 1024
_INTEGER = re.compile(r"-?\d+")
_NUMBER = re.compile(r"-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")


class UnreadableFile(ValueError):
    """The file is not HSDS in a form Casebridge reads; the message says why."""


@dataclass
class Row:
    """One record as read: its table, where it was (file and row, or a JSON path), its fields."""

    table: str
    file: str
    row: str
    data: dict[str, Any]


@dataclass
class Problem:
    """Something wrong with one row, said by file, row and field."""

    file: str
    row: str
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}, {self.row}"
        return (
            f"{where}, {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )


@dataclass
class Source:
    """Everything read from one file, table by table, and what could not be read."""

    rows: dict[str, list[Row]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def add(self, row: Row) -> None:
        self.rows.setdefault(row.table, []).append(row)


def read(path: Path) -> Source:
    """Read an HSDS file or folder in any of the forms this module reads."""
    if path.is_dir():
        return _read_tabular(_folder_files(path))
    if not path.exists():
        raise UnreadableFile(f"{path} does not exist.")
    if path.stat().st_size > MAX_BYTES:
        raise UnreadableFile(f"{path} is larger than {MAX_BYTES // 2**20} MB.")
    if path.suffix.lower() == ".zip":
        return _read_tabular(_zip_files(path))
    if path.name == "datapackage.json":
        return _read_tabular(_folder_files(path.parent))
    try:
        document = json.loads(path.read_text(encoding="utf-8"), parse_constant=_no_constant)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError, ValueError) as error:
        raise UnreadableFile(f"{path.name} is not JSON: {error}") from error
    return read_json(document, file=path.name)


def _no_constant(name: str) -> Any:
    # NaN and Infinity are not JSON, and PostgreSQL's jsonb refuses to store them.
    raise ValueError(f"{name} is not a JSON number")


def _folder_files(folder: Path) -> dict[str, str]:
    if not (folder / "datapackage.json").exists():
        raise UnreadableFile(f"{folder} has no datapackage.json: it is not an HSDS tabular folder.")
    paths = [path for path in folder.iterdir() if path.suffix in {".csv", ".json"}]
    if sum(path.stat().st_size for path in paths) > MAX_BYTES:
        raise UnreadableFile(f"{folder} holds more than {MAX_BYTES // 2**20} MB.")
    return {path.name: _text(path.name, path.read_bytes()) for path in paths}


def _text(name: str, content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UnreadableFile(f"{name} is not UTF-8 text: {error}") from error


def _zip_files(path: Path) -> dict[str, str]:
    try:
        with zipfile.ZipFile(path) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_BYTES:
                raise UnreadableFile(f"{path.name} unpacks to more than {MAX_BYTES // 2**20} MB.")
            return {
                Path(info.filename).name: _text(info.filename, archive.read(info))
                for info in archive.infolist()
                if info.filename.endswith((".csv", ".json"))
            }
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError) as error:
        # A damaged archive, or one packed with a method zipfile does not read.
        raise UnreadableFile(
            f"{path.name} is not a zip archive Casebridge can open: {error}"
        ) from error


def _read_tabular(files: dict[str, str]) -> Source:
    """The CSV form: one file per table, named as the official data package names them."""
    if "datapackage.json" not in files:
        raise UnreadableFile("There is no datapackage.json: it is not an HSDS tabular package.")
    source = Source()
    for table in spec.TABLES:
        file_name = spec.csv_files()[table.name]
        if file_name not in files:
            continue
        types = spec.field_types(table.name)
        reader = csv.DictReader(io.StringIO(files[file_name]))
        try:
            for number, record in enumerate(reader, start=2):  # line 1 is the header
                data = {
                    name: coerce(value, types.get(name, "string"))
                    for name, value in record.items()
                    if isinstance(name, str) and isinstance(value, str) and value != ""
                }
                source.add(Row(table.name, file_name, f"row {number}", data))
        except csv.Error as error:
            source.problems.append(
                Problem(file_name, f"row {reader.line_num}", "", f"is not CSV: {error}")
            )
    return source


def coerce(value: str, frictionless_type: str) -> Any:
    """A CSV cell as the JSON value its field holds. A cell that is not what its type says is
    kept as text, so the schema check reports it by field."""
    if frictionless_type == "integer" and _INTEGER.fullmatch(value):
        return int(value)
    if frictionless_type == "number":
        if _INTEGER.fullmatch(value):
            return int(value)
        if _NUMBER.fullmatch(value) and math.isfinite(float(value)):
            return float(value)
    if frictionless_type == "boolean" and value.lower() in {"true", "false"}:
        return value.lower() == "true"
    return value


def read_json(document: Any, *, file: str, table: str | None = None) -> Source:
    """The JSON forms: tabular (table -> rows) or nested (one record, a list, a page)."""
    source = Source()
    by_file_name = {csv_name: name for name, csv_name in spec.csv_files().items()}
    if (
        isinstance(document, dict)
        and document
        and all(
            (key in spec.TABLES_BY_NAME or key in by_file_name) and isinstance(value, list)
            for key, value in document.items()
        )
    ):
        for key, rows in document.items():
            name = str(by_file_name.get(key, key))
            for index, data in enumerate(rows):
                label = f"{key}[{index}]"
                if isinstance(data, dict):
                    source.add(Row(name, file, label, _scalars(data)))
                else:
                    source.problems.append(Problem(file, label, "", "is not an object"))
        return source
    records: Iterable[Any]
    if isinstance(document, dict) and isinstance(document.get("contents"), list):
        records, prefix = document["contents"], "contents"
    elif isinstance(document, list):
        records, prefix = document, ""
    elif isinstance(document, dict):
        records, prefix = [document], None
    else:
        raise UnreadableFile(f"{file} is neither an HSDS record nor a list of them.")
    guessed = table or _table_from_file_name(file)
    for index, record in enumerate(records):
        label = "record" if prefix is None else f"{prefix}[{index}]" if prefix else f"[{index}]"
        kind = guessed or _table_from_shape(record)
        if not isinstance(record, dict) or kind is None:
            source.problems.append(
                Problem(file, label, "", "is not a record of an HSDS table Casebridge knows")
            )
            continue
        for row in _unfold(kind, record, file=file, path=str(label), parent=None):
            source.add(row)
    return source


def _table_from_file_name(file: str) -> str | None:
    stem = Path(file).stem
    matches = [name for name in spec.TABLES_BY_NAME if re.match(rf"{name}(_|$)", stem)]
    return max(matches, key=len) if matches else None


def _table_from_shape(record: Any) -> str | None:
    if not isinstance(record, dict):
        return None
    if "status" in record or "service_at_locations" in record:
        return "service"
    if "location_type" in record:
        return "location"
    if "service" in record and "location" in record:
        return "service_at_location"
    if "services" in record or "tax_id" in record or "year_incorporated" in record:
        return "organization"
    return None


def _scalars(record: dict[str, Any]) -> dict[str, Any]:
    """The record's own fields: not the records nested in it, and not empty ones."""
    return {
        key: value
        for key, value in record.items()
        if value is not None and value != "" and not _is_nested(value)
    }


def _is_nested(value: Any) -> bool:
    return isinstance(value, dict) or (
        isinstance(value, list) and any(isinstance(item, dict) for item in value)
    )


def _unfold(
    table: str,
    record: dict[str, Any],
    *,
    file: str,
    path: str,
    parent: tuple[str, str] | None,
) -> Iterator[Row]:
    """The record's own row, then a row for every record nested in it, depth first."""
    data = _scalars(record)
    if parent is not None:
        parent_table, parent_id = parent
        if table == "attribute":
            data.setdefault("link_id", parent_id)
            data.setdefault("link_entity", parent_table)
        elif table == "metadata":
            data.setdefault("resource_id", parent_id)
            data.setdefault("resource_type", parent_table)
        elif f"{parent_table}_id" in spec.field_types(table):
            data.setdefault(f"{parent_table}_id", parent_id)
    nested = spec.nested_tables(table)
    # A record nested as one object (a service's organization) is the one this record refers to.
    for name, value in record.items():
        child_table = nested.get(name)
        if isinstance(value, dict) and child_table and isinstance(value.get("id"), str):
            reference = "taxonomy_id" if child_table == "taxonomy" else f"{child_table}_id"
            if reference in spec.field_types(table):
                data.setdefault(reference, value["id"])
    yield Row(table, file, path, data)
    own_id = data.get("id")
    for name, value in record.items():
        child_table = nested.get(name)
        if child_table is None or not _is_nested(value):
            continue
        items = [value] if isinstance(value, dict) else value
        for index, item in enumerate(items):
            where = f"{path}.{name}" if isinstance(value, dict) else f"{path}.{name}[{index}]"
            if not isinstance(item, dict):
                continue
            # A record nested as one object is not this record's child: no back reference.
            child_parent = (
                (table, own_id) if isinstance(value, list) and isinstance(own_id, str) else None
            )
            yield from _unfold(child_table, item, file=file, path=where, parent=child_parent)

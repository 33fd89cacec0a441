"""Exporting an agency's directory as HSDS 3.0: the tabular JSON form (one file,
directory.json, shaped as schema/compiled/tabular.json) or the CSV form (one file per table and
the official datapackage.json).

The built-in Casebridge taxonomy goes with it, so the file's categories resolve on their own;
importing it back into Casebridge recognises those rows as the built-in ones.
"""

import csv
import json
import shutil
from enum import StrEnum
from pathlib import Path
from typing import Any

from casebridge.accounts.models import Organisation
from casebridge.directory.hsds import spec

JSON_FILE = "directory.json"


class ExportFormat(StrEnum):
    JSON = "json"
    CSV = "csv"


def directory_rows(organisation: Organisation) -> dict[str, list[dict[str, Any]]]:
    """Every table's rows as HSDS fields, ordered by id so two exports compare equal."""
    tables: dict[str, list[dict[str, Any]]] = {}
    for table in spec.TABLES:
        records = table.model.objects.filter(organisation=organisation)
        if table.name in {"taxonomy", "taxonomy_term"}:
            records = records | table.model.objects.filter(organisation__isnull=True)
        tables[table.name] = [
            {"id": hsds_id, **fields}
            for hsds_id, fields in records.order_by("hsds_id", "pk").values_list(
                "hsds_id", "fields"
            )
        ]
    return tables


def export_directory(
    *, organisation: Organisation, folder: Path, export_format: ExportFormat
) -> dict[str, int]:
    """Write the directory into `folder` (made if missing); the number of rows per table."""
    folder.mkdir(parents=True, exist_ok=True)
    tables = directory_rows(organisation)
    if export_format == ExportFormat.JSON:
        with (folder / JSON_FILE).open("w", encoding="utf-8") as handle:
            json.dump(tables, handle, ensure_ascii=False, indent=2, sort_keys=True)
            handle.write("\n")
    else:
        for table in spec.TABLES:
            _write_csv(folder / spec.csv_files()[table.name], table.name, tables[table.name])
        shutil.copyfile(spec.SPEC_DIR / "datapackage.json", folder / "datapackage.json")
    return {name: len(rows) for name, rows in tables.items()}


def _write_csv(path: Path, table: str, rows: list[dict[str, Any]]) -> None:
    # The official columns only, in the official order: the data package describes no others.
    columns = list(spec.field_types(table))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(row.get(column)) for column in columns])


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)

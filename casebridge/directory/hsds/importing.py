"""Importing an HSDS 3.0 file into one agency's directory.

The rules, in the order they apply:
- every row is checked against the official schema of its table; a row that fails is rejected
  and reported by file, row and field, and the rest go on;
- every reference to another record (service_id, location_id...) must name a record in the file,
  or one already in this agency's directory (or the built-in taxonomy); one that does not is
  reported by file, row and field, and the row is kept with that link left empty (HSDS allows a
  file to refer to records kept elsewhere, and the id stays in the row for the next import);
- records are matched by their HSDS id: new ones are added, ones whose fields or links differ are
  changed, the others are left alone, so importing the same file twice changes nothing. Records
  the file does not mention are kept: an import adds and updates, it never deletes;
- all of it is written in one transaction, or nothing is: with `strict` any problem at all
  stops the import, and a dry run reports what would change without writing.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from casebridge.accounts.models import Organisation
from casebridge.directory.hsds import spec
from casebridge.directory.hsds.reading import Problem, Row, Source
from casebridge.directory.models import HsdsRecord

BATCH = 500
# Stands for the database id of a record a dry run would add: it has none yet.
NOT_YET_SAVED = -1


@dataclass
class TableCounts:
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    rejected: int = 0


@dataclass
class ImportReport:
    """What an import did (or, in a dry run or a refused strict import, would have done)."""

    counts: dict[str, TableCounts] = field(default_factory=dict)
    rejected: list[Problem] = field(default_factory=list)
    missing_references: list[Problem] = field(default_factory=list)
    dry_run: bool = False
    strict: bool = False
    written: bool = False

    def table(self, name: str) -> TableCounts:
        return self.counts.setdefault(name, TableCounts())

    @property
    def problems(self) -> list[Problem]:
        return [*self.rejected, *self.missing_references]

    @property
    def changes(self) -> int:
        return sum(c.added + c.changed for c in self.counts.values())

    def totals(self) -> dict[str, int]:
        """Records added, changed, unchanged and rejected, over every table."""
        return {
            name: sum(getattr(c, name) for c in self.counts.values())
            for name in ("added", "changed", "unchanged", "rejected")
        }

    def as_json(self) -> dict[str, Any]:
        """The report as plain JSON, to keep with an import run and show on its page."""
        return {
            "dry_run": self.dry_run,
            "strict": self.strict,
            "written": self.written,
            "totals": self.totals(),
            "counts": {
                table: {
                    "added": c.added,
                    "changed": c.changed,
                    "unchanged": c.unchanged,
                    "rejected": c.rejected,
                }
                for table, c in self.counts.items()
            },
            "rejected": [_problem_json(p) for p in self.rejected],
            "missing_references": [_problem_json(p) for p in self.missing_references],
        }


def _problem_json(problem: Problem) -> dict[str, str]:
    return {
        "file": problem.file,
        "row": problem.row,
        "field": problem.field,
        "message": problem.message,
    }


# Told how far an import has got: (stage, rows done, rows in the stage), every few rows.
Counter = Callable[[str, int, int], None]
CHECKING = "checking"
WRITING = "writing"


@dataclass
class Checked:
    """A file's rows after the schema check: what a write (or a dry run) works from."""

    report: ImportReport
    accepted: dict[str, dict[str, Row]]


def import_source(
    *,
    organisation: Organisation,
    source: Source,
    dry_run: bool = False,
    strict: bool = False,
    progress: Callable[[str], None] | None = None,
    progress_every: int = 1000,
    counter: Counter | None = None,
) -> ImportReport:
    """Check, then write (in one transaction) or only count, every row of a read file."""
    checked = import_check(
        source=source,
        dry_run=dry_run,
        strict=strict,
        progress=progress,
        progress_every=progress_every,
        counter=counter,
    )
    with transaction.atomic():
        return import_write(
            organisation=organisation,
            checked=checked,
            progress=progress,
            progress_every=progress_every,
            counter=counter,
        )


def import_check(
    *,
    source: Source,
    dry_run: bool = False,
    strict: bool = False,
    progress: Callable[[str], None] | None = None,
    progress_every: int = 1000,
    counter: Counter | None = None,
) -> Checked:
    """The schema check of every row: the slow part, which reads nothing from the database, so
    it runs before the import's transaction and can tell how far it has got meanwhile."""
    report = ImportReport(dry_run=dry_run, strict=strict)
    report.rejected.extend(source.problems)
    accepted = _check_rows(source, report, progress=progress, every=progress_every, counter=counter)
    return Checked(report=report, accepted=accepted)


def import_write(
    *,
    organisation: Organisation,
    checked: Checked,
    progress: Callable[[str], None] | None = None,
    progress_every: int = 1000,
    counter: Counter | None = None,
) -> ImportReport:
    """The references checked against the directory, then every accepted row written, or
    (dry run, or a strict import with a problem) only counted. Call it inside a transaction
    (the references are read in the same one as the rows are written)."""
    report, accepted = checked.report, checked.accepted
    _check_references(organisation, accepted, report)
    if report.strict and report.problems:
        return report
    write = not report.dry_run
    with transaction.atomic():
        _apply(
            organisation,
            accepted,
            report,
            write=write,
            progress=progress,
            every=progress_every,
            counter=counter,
        )
    report.written = write
    return report


def _check_rows(
    source: Source,
    report: ImportReport,
    *,
    progress: Callable[[str], None] | None,
    every: int,
    counter: Counter | None = None,
) -> dict[str, dict[str, Row]]:
    """The rows the official schema accepts, table by table and by HSDS id."""
    accepted: dict[str, dict[str, Row]] = {}
    done = 0
    total = sum(len(rows) for rows in source.rows.values())
    if counter:
        counter(CHECKING, 0, total)
    for table in spec.TABLES:
        by_id: dict[str, Row] = {}
        check = spec.validator(table.name)
        for row in source.rows.get(table.name, []):
            done += 1
            if done % every == 0:
                if progress:
                    progress(f"{done} rows checked against the HSDS schema ({table.name})")
                if counter:
                    counter(CHECKING, done, total)
            problems = [
                *_schema_problems(check, row),
                *_length_problems(table.model, row),
            ]
            if problems:
                report.table(table.name).rejected += 1
                report.rejected.extend(problems)
                continue
            hsds_id = row.data["id"]
            earlier = by_id.get(hsds_id)
            if earlier is not None:
                # Nested JSON repeats a record (the same location under its provider and under
                # each service there), each time with the reference to where it sits: one
                # record, all of its fields. Two records that disagree on a field are not.
                clash = sorted(
                    key
                    for key in earlier.data.keys() & row.data.keys()
                    if earlier.data[key] != row.data[key]
                )
                if clash:
                    report.table(table.name).rejected += 1
                    report.rejected.append(
                        Problem(
                            row.file,
                            row.row,
                            clash[0],
                            f"record {hsds_id} is also at {earlier.file}, {earlier.row}, with "
                            f"a different {', '.join(clash)}; the first is kept",
                        )
                    )
                else:
                    earlier.data.update(row.data)
                continue
            by_id.setdefault(hsds_id, row)
        accepted[table.name] = by_id
    if counter:
        counter(CHECKING, total, total)
    return accepted


def _schema_problems(check: Any, row: Row) -> list[Problem]:
    """What the official schema says of the row, field by field."""
    errors = sorted(
        check.iter_errors(row.data), key=lambda e: [str(part) for part in e.absolute_path]
    )
    problems = []
    for error in errors:
        where = ".".join(str(part) for part in error.absolute_path)
        if not where and error.validator == "required":
            quoted = str(error.message).split("'")
            where = quoted[1] if len(quoted) > 2 else ""
        problems.append(Problem(row.file, row.row, where, error.message))
    return problems


def _length_problems(model: type[HsdsRecord], row: Row) -> list[Problem]:
    """Fields the search keeps in a column of bounded length (a status, a language code) that
    are longer than it: the schema sets no bound, the database does."""
    problems = []
    for field_name, column in model.hsds_columns.items():
        bound = getattr(model._meta.get_field(column), "max_length", None)
        value = row.data.get(field_name)
        if bound and value is not None and len(str(value)) > bound:
            problems.append(
                Problem(
                    row.file,
                    row.row,
                    field_name,
                    f"is {len(str(value))} characters long; Casebridge keeps at most {bound}",
                )
            )
    return problems


def _directory(model: type[HsdsRecord], organisation: Organisation) -> Any:
    """The agency's own records of a table; for taxonomies, the built-in ones too."""
    records = model.objects.filter(organisation=organisation)
    if model.__name__ in {"Taxonomy", "TaxonomyTerm"}:
        records = records | model.objects.filter(organisation__isnull=True)
    return records


def _check_references(
    organisation: Organisation, accepted: dict[str, dict[str, Row]], report: ImportReport
) -> None:
    known: dict[str, set[str]] = {}

    def ids(table: str) -> set[str]:
        if table not in known:
            model = spec.TABLES_BY_NAME[table].model
            stored = _directory(model, organisation).values_list("hsds_id", flat=True)
            known[table] = set(stored) | set(accepted[table])
        return known[table]

    for table in spec.TABLES:
        for row in accepted[table.name].values():
            targets = {name: target for name, (_, target) in table.references.items()}
            if table.name == "attribute" and row.data.get("link_entity") in spec.TABLES_BY_NAME:
                targets["link_id"] = row.data["link_entity"]
            for name, target in targets.items():
                value = row.data.get(name)
                if isinstance(value, str) and value not in ids(target):
                    report.missing_references.append(
                        Problem(
                            row.file,
                            row.row,
                            name,
                            f"refers to {target} {value}, which is neither in the file nor in "
                            "the directory; the link is left empty",
                        )
                    )


def _apply(
    organisation: Organisation,
    accepted: dict[str, dict[str, Row]],
    report: ImportReport,
    *,
    write: bool,
    progress: Callable[[str], None] | None,
    every: int,
    counter: Counter | None = None,
) -> None:
    """Add and change records table by table, or (write=False) only count what would change."""
    database_ids: dict[str, dict[str, int]] = {}
    done = 0
    total = sum(len(rows) for rows in accepted.values())
    if counter:
        counter(WRITING, 0, total)

    def pk_of(table: str, hsds_id: Any) -> int | None:
        if table not in database_ids:
            model = spec.TABLES_BY_NAME[table].model
            known: dict[str, int] = {}
            stored = _directory(model, organisation).values_list("hsds_id", "pk", "organisation")
            for key, pk, owner in stored:
                # The agency's own record wins over a built-in one with the same id.
                if owner is not None or key not in known:
                    known[key] = pk
            database_ids[table] = known
        return database_ids[table].get(hsds_id) if isinstance(hsds_id, str) else None

    for table in spec.TABLES:
        rows = accepted[table.name]
        if not rows:
            continue
        model = table.model
        counts = report.table(table.name)
        existing = {
            record.hsds_id: record for record in model.objects.filter(organisation=organisation)
        }
        builtin: set[str] = set()
        if table.name in {"taxonomy", "taxonomy_term"}:
            builtin = set(
                model.objects.filter(organisation__isnull=True).values_list("hsds_id", flat=True)
            )
        own = {name: link for name, link in table.references.items() if link[1] != table.name}
        own_self = {name: link for name, link in table.references.items() if link[1] == table.name}
        to_create: list[HsdsRecord] = []
        to_update: list[HsdsRecord] = []
        unchanged: set[str] = set()
        for hsds_id, row in rows.items():
            done += 1
            if done % every == 0:
                if progress:
                    verb = "imported" if write else "compared with the directory"
                    progress(f"{done} records {verb} ({table.name})")
                if counter:
                    counter(WRITING, done, total)
            if hsds_id in builtin and hsds_id not in existing:
                # The built-in taxonomy, exported along with the directory: shared, not copied.
                counts.unchanged += 1
                continue
            fields = {key: value for key, value in row.data.items() if key != "id"}
            links = {
                attr: pk_of(target, row.data.get(name)) for name, (attr, target) in own.items()
            }
            record = existing.get(hsds_id)
            if record is None:
                record = model(organisation=organisation, hsds_id=hsds_id, fields=fields)
                for attr, pk in links.items():
                    setattr(record, f"{attr}_id", pk)
                record.copy_columns()
                to_create.append(record)
                counts.added += 1
                continue
            if record.fields == fields and all(
                getattr(record, f"{attr}_id") == pk for attr, pk in links.items()
            ):
                unchanged.add(hsds_id)
                counts.unchanged += 1
                continue
            record.fields = fields
            for attr, pk in links.items():
                setattr(record, f"{attr}_id", pk)
            record.copy_columns()
            to_update.append(record)
            counts.changed += 1
        if write:
            model.objects.bulk_create(to_create, batch_size=BATCH)
            columns = ["fields", *(f"{a}" for a, _ in own.values()), *model.hsds_columns.values()]
            model.objects.bulk_update(to_update, columns, batch_size=BATCH)
            database_ids.pop(table.name, None)
        else:
            pk_of(table.name, None)  # loads what the database has, before adding to it
            for record in to_create:
                database_ids[table.name][record.hsds_id] = NOT_YET_SAVED
        if own_self:
            _link_within_table(
                organisation, table, rows, own_self, counts, pk_of, write=write, unchanged=unchanged
            )


def _link_within_table(
    organisation: Organisation,
    table: spec.Table,
    rows: dict[str, Row],
    references: dict[str, tuple[str, str]],
    counts: TableCounts,
    pk_of: Callable[[str, Any], int | None],
    *,
    write: bool,
    unchanged: set[str],
) -> None:
    """Links to a record of the same table (a parent provider or term), once all are saved."""
    records = {r.hsds_id: r for r in table.model.objects.filter(organisation=organisation)}
    to_update = []
    for hsds_id, row in rows.items():
        record = records.get(hsds_id)
        if record is None:
            continue  # built-in, or (in a dry run) counted as added already
        wanted = {
            attr: pk_of(target, row.data.get(name)) for name, (attr, target) in references.items()
        }
        if all(getattr(record, f"{attr}_id") == pk for attr, pk in wanted.items()):
            continue
        for attr, pk in wanted.items():
            setattr(record, f"{attr}_id", pk)
        to_update.append(record)
        if hsds_id in unchanged:
            # Its own fields are as they were, but its parent is not.
            unchanged.discard(hsds_id)
            counts.unchanged -= 1
            counts.changed += 1
    if write and to_update:
        table.model.objects.bulk_update(
            to_update, [attr for attr, _ in references.values()], batch_size=BATCH
        )

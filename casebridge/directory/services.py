"""Writes to the resource directory: importing and exporting Open Referral HSDS 3.0 files, from
the command line or from the screen (where the import runs in the background).

The work is done in casebridge.directory.hsds; these are the entry points commands, views and
tasks call, named for what they do. Every import, dry runs and refused ones included, and every
export is on the audit trail: who, which file, and the counts.
"""

import io
import json
import re
import secrets
import tempfile
import zipfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from casebridge.accounts.models import Organisation, User
from casebridge.audit.models import AuditAction
from casebridge.audit.services import audit_record
from casebridge.directory.hsds import reading
from casebridge.directory.hsds.exporting import ExportFormat, directory_rows, export_directory
from casebridge.directory.hsds.importing import (
    WRITING,
    ImportReport,
    import_check,
    import_source,
    import_write,
)
from casebridge.directory.models import DirectoryImport, ImportStage, ImportStatus

# An import that has said nothing of its progress for this long was cut short (its worker
# died, or it was never picked up): an administrator may queue it again.
STALLED_AFTER = timedelta(minutes=10)
# How often (in rows) a background import records how far it has got.
PROGRESS_EVERY = 250
ZIP_MAGIC = b"PK\x03\x04"


def _audit_import(
    *,
    organisation_id: int,
    actor: User | None,
    file_name: str,
    report: ImportReport | None,
    via: str,
    run_id: int | str = "",
    failure: str = "",
) -> None:
    changes: dict[str, Any] = {"file": file_name[:200], "via": via}
    if report is not None:
        changes.update(
            dry_run=report.dry_run,
            strict=report.strict,
            written=report.written,
            rejected_rows=len(report.rejected),
            missing_references=len(report.missing_references),
            **report.totals(),
        )
    if failure:
        changes["failure"] = failure[:300]
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE if report is not None and report.written else AuditAction.VIEW,
        object_type="directory_import",
        object_id=run_id,
        changes=changes,
        organisation_id=organisation_id,
    )


def directory_import(
    *,
    organisation: Organisation,
    path: Path,
    dry_run: bool = False,
    strict: bool = False,
    progress: Callable[[str], None] | None = None,
    progress_every: int = 1000,
    by: User | None = None,
) -> ImportReport:
    """Import an HSDS file (JSON, or a CSV folder or .zip with datapackage.json) into the
    agency's directory, in one transaction with its audit event. Raises reading.UnreadableFile
    if it is not HSDS."""
    source = reading.read(path)
    with transaction.atomic():
        report = import_source(
            organisation=organisation,
            source=source,
            dry_run=dry_run,
            strict=strict,
            progress=progress,
            progress_every=progress_every,
        )
        _audit_import(
            organisation_id=organisation.pk,
            actor=by,
            file_name=path.name,
            report=report,
            via="command" if by is None else "service",
        )
    return report


def directory_export(
    *, organisation: Organisation, folder: Path, export_format: ExportFormat = ExportFormat.JSON
) -> dict[str, int]:
    """Write the agency's directory into `folder` as HSDS; the number of rows per table."""
    counts = export_directory(organisation=organisation, folder=folder, export_format=export_format)
    audit_record(
        actor=None,
        action=AuditAction.EXPORT,
        object_type="directory",
        changes={"format": str(export_format), "via": "command", "records": sum(counts.values())},
        organisation_id=organisation.pk,
    )
    return counts


def directory_export_file(
    *, organisation: Organisation, by: User, export_format: ExportFormat
) -> tuple[str, bytes, str]:
    """The agency's directory as one file to download: (name, content, media type). JSON is the
    tabular JSON form; CSV is a zip of the CSV files and the official datapackage.json."""
    stamp = timezone.localdate().isoformat()
    if export_format == ExportFormat.JSON:
        tables = directory_rows(organisation)
        content = (json.dumps(tables, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()
        name, media_type = f"directory-{stamp}.json", "application/json"
        counts = {table: len(rows) for table, rows in tables.items()}
    else:
        buffer = io.BytesIO()
        with tempfile.TemporaryDirectory() as folder:
            counts = export_directory(
                organisation=organisation, folder=Path(folder), export_format=export_format
            )
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
                for path in sorted(Path(folder).iterdir()):
                    archive.write(path, path.name)
        content = buffer.getvalue()
        name, media_type = f"directory-{stamp}-csv.zip", "application/zip"
    audit_record(
        actor=by,
        action=AuditAction.EXPORT,
        object_type="directory",
        changes={"format": str(export_format), "via": "screen", "records": sum(counts.values())},
        organisation_id=organisation.pk,
    )
    return name, content, media_type


def directory_import_upload(
    *, organisation: Organisation, by: User, upload: UploadedFile, dry_run: bool, strict: bool
) -> DirectoryImport:
    """Keep an uploaded HSDS file and queue its import in the background (after the commit, so
    the worker finds the run)."""
    head = upload.read(4)
    upload.seek(0)
    # The content says what the file is (the reader goes by the stored name's suffix).
    suffix = ".zip" if head == ZIP_MAGIC else ".json"
    run = DirectoryImport(
        organisation=organisation,
        uploaded_by=by,
        file_name=Path(upload.name or "upload").name[:200],
        dry_run=dry_run,
        strict=strict,
    )
    with transaction.atomic():
        run.file.save(f"{secrets.token_hex(12)}{suffix}", upload, save=False)
        run.full_clean()
        run.save()
        _queue(run)
    return run


def _queue(run: DirectoryImport) -> None:
    from casebridge.directory.tasks import import_directory_file

    run_id = run.pk
    transaction.on_commit(lambda: import_directory_file.enqueue(import_id=run_id))


def directory_import_retry(*, run: DirectoryImport, by: User) -> DirectoryImport:
    """Queue a failed or stalled import again; it starts over from the file."""
    if not may_retry(run):
        raise ValueError("Only a failed import, or one that has stopped moving, is run again.")
    with transaction.atomic():
        DirectoryImport.objects.filter(pk=run.pk).update(
            status=ImportStatus.QUEUED,
            stage=ImportStage.WAITING,
            failure="",
            rows_done=0,
            rows_total=0,
            progressed_at=timezone.now(),
        )
        audit_record(
            actor=by,
            action=AuditAction.UPDATE,
            object_type="directory_import",
            object_id=run.pk,
            changes={"file": run.file_name, "queued_again": True},
            organisation_id=run.organisation_id,
        )
        _queue(run)
    run.refresh_from_db()
    return run


def may_retry(run: DirectoryImport) -> bool:
    if run.status == ImportStatus.FAILED:
        return True
    if run.status == ImportStatus.DONE:
        return False
    last = run.progressed_at or run.started_at or run.created_at
    return timezone.now() - last > STALLED_AFTER


def _record_progress(run_id: int) -> Callable[[str, int, int], None]:
    """Write how far the import has got onto its row (outside the import's transaction, so
    the page polling the row sees it)."""

    def record(stage: str, done: int, total: int) -> None:
        DirectoryImport.objects.filter(pk=run_id, status=ImportStatus.RUNNING).update(
            stage=stage, rows_done=min(done, total), rows_total=total, progressed_at=timezone.now()
        )

    return record


def directory_import_run(*, import_id: int) -> DirectoryImport | None:
    """Run a queued import: the schema check first, recording progress; then, in one
    transaction, the references, the writes, the run marked done with its report, and the
    audit event. Killed anywhere, it leaves no directory row written and the run not done, so
    running it again (the worker re-queues a task whose worker died) starts over cleanly; run
    once it is done, it changes nothing. Returns the run, or None when there is nothing to do."""
    now = timezone.now()
    claimed = DirectoryImport.objects.filter(
        pk=import_id, status__in=[ImportStatus.QUEUED, ImportStatus.RUNNING]
    ).update(
        status=ImportStatus.RUNNING,
        stage=ImportStage.CHECKING,
        attempts=F("attempts") + 1,
        started_at=now,
        progressed_at=now,
        rows_done=0,
        rows_total=0,
    )
    if not claimed:
        return None
    run = DirectoryImport.objects.select_related("organisation", "uploaded_by").get(pk=import_id)
    record = _record_progress(run.pk)
    try:
        with tempfile.TemporaryDirectory() as folder:
            # Named as uploaded, so problems are reported by the file name the person knows.
            stem = re.sub(r"[^\w.-]", "_", Path(run.file_name).stem)[:100] or "upload"
            path = Path(folder) / f"{stem}{Path(run.file.name or '').suffix}"
            with run.file.open("rb") as stored:
                path.write_bytes(stored.read())
            source = reading.read(path)
        checked = import_check(
            source=source,
            dry_run=run.dry_run,
            strict=run.strict,
            counter=record,
            progress_every=PROGRESS_EVERY,
        )
        record(WRITING, 0, sum(len(rows) for rows in checked.accepted.values()))
        with transaction.atomic():
            report = import_write(organisation=run.organisation, checked=checked)
            # Done goes with the rows it wrote: both or neither. A second run of the same
            # import (two workers) finds it done here and leaves no trace.
            finished = DirectoryImport.objects.filter(
                pk=run.pk, status=ImportStatus.RUNNING
            ).update(
                status=ImportStatus.DONE,
                report=report.as_json(),
                rows_done=F("rows_total"),
                finished_at=timezone.now(),
                progressed_at=timezone.now(),
            )
            if not finished:
                transaction.set_rollback(True)
                return None
            _audit_import(
                organisation_id=run.organisation_id,
                actor=run.uploaded_by,
                file_name=run.file_name,
                report=report,
                via="screen",
                run_id=run.pk,
            )
    except reading.UnreadableFile as error:
        _fail(run, str(error))
    except Exception:
        _fail(run, "The import stopped on an unexpected error. Nothing was written.")
        raise
    run.refresh_from_db()
    return run


def _fail(run: DirectoryImport, failure: str) -> None:
    with transaction.atomic():
        DirectoryImport.objects.filter(pk=run.pk).update(
            status=ImportStatus.FAILED,
            failure=failure[:500],
            finished_at=timezone.now(),
        )
        _audit_import(
            organisation_id=run.organisation_id,
            actor=run.uploaded_by,
            file_name=run.file_name,
            report=None,
            via="screen",
            run_id=run.pk,
            failure=failure,
        )

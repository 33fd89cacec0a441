"""Writes to the resource directory: importing and exporting Open Referral HSDS 3.0 files.

The work is done in casebridge.directory.hsds; these are the entry points commands and views
call, named for what they do.
"""

from collections.abc import Callable
from pathlib import Path

from casebridge.accounts.models import Organisation
from casebridge.directory.hsds import reading
from casebridge.directory.hsds.exporting import ExportFormat, export_directory
from casebridge.directory.hsds.importing import ImportReport, import_source


def directory_import(
    *,
    organisation: Organisation,
    path: Path,
    dry_run: bool = False,
    strict: bool = False,
    progress: Callable[[str], None] | None = None,
    progress_every: int = 1000,
) -> ImportReport:
    """Import an HSDS file (JSON, or a CSV folder or .zip with datapackage.json) into the
    agency's directory, in one transaction. Raises reading.UnreadableFile if it is not HSDS."""
    source = reading.read(path)
    return import_source(
        organisation=organisation,
        source=source,
        dry_run=dry_run,
        strict=strict,
        progress=progress,
        progress_every=progress_every,
    )


def directory_export(
    *, organisation: Organisation, folder: Path, export_format: ExportFormat = ExportFormat.JSON
) -> dict[str, int]:
    """Write the agency's directory into `folder` as HSDS; the number of rows per table."""
    return export_directory(organisation=organisation, folder=folder, export_format=export_format)

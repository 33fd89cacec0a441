"""`casebridge hsds-import PATH`: import an Open Referral HSDS 3.0 file into an agency's
resource directory, reporting every rejected row and broken reference by file, row and field."""

from pathlib import Path
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.core.management.base import BaseCommand, CommandError, CommandParser

from casebridge.directory.hsds.reading import UnreadableFile
from casebridge.directory.queries import organisation_named
from casebridge.directory.services import directory_import


class Command(BaseCommand):
    help = (
        "Import an Open Referral HSDS 3.0 directory: a JSON file, or a folder or .zip of CSV "
        "files with datapackage.json. Records are matched by their HSDS id; all or nothing is "
        "written, in one transaction."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would change; write nothing."
        )
        parser.add_argument(
            "--strict", action="store_true", help="Import nothing if any row has a problem."
        )
        parser.add_argument("--organisation", help="The agency whose directory it is (id or name).")
        parser.add_argument(
            "--progress-every", type=int, default=1000, help="A progress line per N records."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            organisation = organisation_named(options["organisation"])
            report = directory_import(
                organisation=organisation,
                path=options["path"],
                dry_run=options["dry_run"],
                strict=options["strict"],
                progress=self.stdout.write,
                progress_every=max(1, options["progress_every"]),
            )
        except (ObjectDoesNotExist, UnreadableFile) as error:
            raise CommandError(str(error)) from error
        for problem in report.rejected:
            self.stderr.write(f"Rejected: {problem}")
        for problem in report.missing_references:
            self.stderr.write(f"Missing reference: {problem}")
        if report.written:
            self.stdout.write(f"Imported into {organisation}'s directory:")
        else:
            self.stdout.write(f"What importing into {organisation}'s directory would do:")
        for table, counts in report.counts.items():
            self.stdout.write(
                f"  {table}: {counts.added} added, {counts.changed} changed, "
                f"{counts.unchanged} unchanged, {counts.rejected} rejected"
            )
        if report.strict and report.problems:
            raise CommandError(
                f"Nothing imported (--strict): {len(report.rejected)} rejected row(s), "
                f"{len(report.missing_references)} missing reference(s)."
            )
        if report.dry_run:
            self.stdout.write("Dry run: nothing was written.")

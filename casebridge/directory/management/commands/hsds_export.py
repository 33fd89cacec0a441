"""`casebridge hsds-export DIR`: write an agency's resource directory as Open Referral HSDS 3.0,
in the tabular JSON form or as CSV files with the official datapackage.json."""

from pathlib import Path
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.core.management.base import BaseCommand, CommandError, CommandParser

from casebridge.directory.hsds.exporting import ExportFormat
from casebridge.directory.queries import organisation_named
from casebridge.directory.services import directory_export


class Command(BaseCommand):
    help = "Export an agency's resource directory as Open Referral HSDS 3.0 (JSON or CSV)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", type=Path)
        parser.add_argument(
            "--format", choices=[f.value for f in ExportFormat], default=ExportFormat.JSON.value
        )
        parser.add_argument("--organisation", help="The agency whose directory it is (id or name).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            organisation = organisation_named(options["organisation"])
        except ObjectDoesNotExist as error:
            raise CommandError(str(error)) from error
        counts = directory_export(
            organisation=organisation,
            folder=options["folder"],
            export_format=ExportFormat(options["format"]),
        )
        self.stdout.write(
            f"Exported {sum(counts.values())} records of {organisation}'s directory to "
            f"{options['folder']} ({options['format']})."
        )

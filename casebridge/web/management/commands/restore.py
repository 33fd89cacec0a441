"""`casebridge restore SRC`: put a backup back, then prove it (row counts, file checksums,
the audit trail's chain)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from casebridge.web.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Replace this installation's database, uploaded files and audit checkpoints with a "
        "backup's, then verify them."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("source", help="A directory written by `casebridge backup`.")
        parser.add_argument(
            "--yes",
            action="store_true",
            help="Do not ask: this replaces everything in the current database.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["yes"]:
            answer = input("This replaces everything in the current database. Type RESTORE: ")
            if answer.strip() != "RESTORE":
                raise CommandError("Nothing was restored.")
        try:
            report = restore(Path(options["source"]))
        except BackupError as error:
            raise CommandError(str(error)) from error
        for problem in report.problems:
            self.stderr.write(problem)
        if report.problems:
            raise CommandError(
                f"The restore does not match the backup: {len(report.problems)} problems."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored and verified: {report.tables_checked} tables, "
                f"{report.files_checked} files, audit trail intact."
            )
        )

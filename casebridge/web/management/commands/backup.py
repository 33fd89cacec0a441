"""`casebridge backup DEST`: database, uploaded files and audit checkpoints into one directory."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from casebridge.web.backup import BackupError, backup


class Command(BaseCommand):
    help = "Back up the database, uploaded files and audit checkpoints into a new directory."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("destination", help="A new or empty directory for the backup.")

    def handle(self, *args: Any, **options: Any) -> None:
        destination = Path(options["destination"])
        try:
            manifest = backup(destination)
        except BackupError as error:
            raise CommandError(str(error)) from error
        rows = sum(manifest["tables"].values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up {rows} rows in {len(manifest['tables'])} tables and "
                f"{len(manifest['uploads'])} uploaded files to {destination}"
            )
        )

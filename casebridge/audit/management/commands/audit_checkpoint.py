"""`casebridge audit-checkpoint`: sign every audit chain's newest position now, outside the
database, and print the checkpoint for an auditor."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from casebridge.audit.checkpoints import checkpoint_newest, checkpoint_text, checkpoint_write


class Command(BaseCommand):
    help = (
        "Write a signed checkpoint of the audit chains to AUDIT_CHECKPOINT_DIR and print it "
        "(with --latest, print the newest one instead)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--latest", action="store_true", help="Print the newest valid checkpoint; write none."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["latest"]:
            checkpoint, problems = checkpoint_newest()
            for problem in problems:
                self.stderr.write(problem)
            if checkpoint is None:
                raise CommandError("No valid audit checkpoint was found.")
        else:
            checkpoint = checkpoint_write()
        self.stdout.write(f"{checkpoint.path}\n")
        self.stdout.write(checkpoint_text(checkpoint), ending="")

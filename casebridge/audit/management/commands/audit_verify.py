"""`casebridge audit-verify`: recompute every audit chain, compare it with its head and the
newest signed checkpoint, and report each problem in plain words (exit status 1 if any)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from casebridge.audit.services import audit_check


class Command(BaseCommand):
    help = (
        "Check that no audit event was changed, removed or reordered since it was written, "
        "against the newest signed checkpoint too."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        report = audit_check()
        for note in report.notes:
            self.stdout.write(note)
        if report.problems:
            for problem in report.problems[:50]:
                self.stderr.write(problem)
            if len(report.problems) > 50:
                self.stderr.write(f"... and {len(report.problems) - 50} more.")
            raise CommandError(f"The audit trail has {len(report.problems)} problem(s).")
        self.stdout.write(
            f"Audit trail intact: {report.events} events in {report.chains} chain(s) checked."
        )

"""`casebridge audit_verify`: recompute the audit trail's hash chain and report any break."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from casebridge.audit.models import AuditEvent
from casebridge.audit.services import audit_verify


class Command(BaseCommand):
    help = "Check that no audit event was changed, removed or reordered since it was written."

    def handle(self, *args: Any, **options: Any) -> None:
        problems = audit_verify()
        if problems:
            for problem in problems[:50]:
                self.stderr.write(problem)
            raise CommandError(f"The audit trail has {len(problems)} problem(s).")
        self.stdout.write(f"Audit trail intact: {AuditEvent.objects.count()} events checked.")

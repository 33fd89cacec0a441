"""App config for audit."""

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "casebridge.audit"
    label = "audit"

    def ready(self) -> None:
        from casebridge.audit import signals  # noqa: F401  (connects login/logout auditing)

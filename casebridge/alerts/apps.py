"""App config for early warning: alert rules read what the other capabilities record, and
re-evaluate a client right after their facts change."""

from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "casebridge.alerts"
    label = "alerts"
    verbose_name = "Alerts"

    def ready(self) -> None:
        from casebridge.alerts import receivers

        receivers.connect()

"""App config for early warning: alert rules read what the other capabilities record, and
re-evaluate a client right after their facts change. Adds the Alerts tab and open alerts as
due items on the caseload and the client's header."""

from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "casebridge.alerts"
    label = "alerts"
    verbose_name = "Alerts"

    def ready(self) -> None:
        from casebridge.alerts import receivers
        from casebridge.alerts.models import Alert
        from casebridge.alerts.queries import alerts_due
        from casebridge.clients.extensions import (
            ClientTab,
            register_tab,
            register_viewer_due_provider,
        )

        receivers.connect()
        register_tab(ClientTab(label="Alerts", url_name="client_alerts", order=5))
        register_viewer_due_provider(alerts_due, needs_action="view", reads=[Alert])

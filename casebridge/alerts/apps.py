"""App config for early warning: alert rules read what the other capabilities record."""

from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "casebridge.alerts"
    label = "alerts"
    verbose_name = "Alerts"

"""App config for 24/7 support: safety plans, the on-call roster and after-hours contacts."""

from django.apps import AppConfig


class SafetyConfig(AppConfig):
    name = "casebridge.safety"
    label = "safety"
    verbose_name = "Safety plans and on-call"

"""App config for the web shell."""

from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "casebridge.web"
    label = "web"

"""App config for demo data commands."""

from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "casebridge.demo"
    label = "demo"

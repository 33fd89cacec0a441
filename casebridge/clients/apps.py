"""App config for clients."""

from django.apps import AppConfig


class ClientsConfig(AppConfig):
    name = "casebridge.clients"
    label = "clients"

"""App config for accounts."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "casebridge.accounts"
    label = "accounts"
    verbose_name = "Organisation and staff"

"""App config for the resource directory (Open Referral HSDS 3.0): no client data here."""

from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "casebridge.directory"
    label = "directory"
    verbose_name = "Resource directory"

"""App config for discharge: the discharge summary and the aftercare plan."""

from django.apps import AppConfig


class DischargeConfig(AppConfig):
    name = "casebridge.discharge"
    label = "discharge"
    verbose_name = "Discharge and aftercare"

"""App config for treatment (drug) courts: court programs and their phases, participants,
status hearings, phase decisions and the daily random draw of testing groups."""

from django.apps import AppConfig


class CourtConfig(AppConfig):
    name = "casebridge.court"
    label = "court"
    verbose_name = "Treatment court"

"""App config for follow-up after discharge and the continuity measures."""

from django.apps import AppConfig


class FollowupsConfig(AppConfig):
    name = "casebridge.followups"
    label = "followups"
    verbose_name = "Follow-up after discharge"

"""App config for background work (listed before django_tasks_db so its `db_worker` wins)."""

from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core import checks


class BackgroundConfig(AppConfig):
    name = "casebridge.background"
    label = "background"
    verbose_name = "Background work"

    def ready(self) -> None:
        checks.register(check_worker_timeout)


def check_worker_timeout(**kwargs: Any) -> list[checks.CheckMessage]:
    """A time-out shorter than two heartbeats would have live workers take each other for dead
    and run their tasks twice."""
    if settings.TASKS_WORKER_TIMEOUT_SECONDS < 2 * settings.TASKS_HEARTBEAT_SECONDS:
        return [
            checks.Warning(
                "TASKS_WORKER_TIMEOUT_SECONDS is less than twice TASKS_HEARTBEAT_SECONDS: "
                "live workers may be taken for dead and their tasks run twice.",
                hint="Make the time-out several heartbeats long (defaults: 60 and 10).",
                id="background.W001",
            )
        ]
    return []

"""Shared steps for the alert tests: facts recorded through the services that own them."""

from datetime import datetime, timedelta

from django.utils import timezone

from casebridge.alerts.models import Alert
from casebridge.alerts.services import evaluate_clients
from casebridge.monitoring.services.notes import check_in_record


def later(days: float = 0, hours: float = 0) -> datetime:
    return timezone.now() + timedelta(days=days, hours=hours)


def check_in(world, *, days_ago: float = 0, **overrides):
    fields = {
        "mood": 6,
        "craving": 3,
        "used_since_last": False,
        "meetings_since_last": 1,
        "sleep": "some_trouble",
        "checked_in_at": timezone.now() - timedelta(days=days_ago),
    }
    fields.update(overrides)
    return check_in_record(client=world.client, by=world.cody, **fields)


def alerts_of(world, kind: str, *, now: datetime | None = None, client=None) -> list[Alert]:
    """Evaluate the client (at `now`), then its alerts of `kind`, oldest first."""
    client = client or world.client
    evaluate_clients([client.pk], now=now)
    return list(Alert.objects.filter(client=client, kind=kind).order_by("id"))


def live(alerts: list[Alert]) -> list[Alert]:
    return [a for a in alerts if a.is_live]

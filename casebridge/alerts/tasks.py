"""Background work for alerts: evaluating clients whose facts just changed, and the sweep that
catches what time alone makes true (overdue, missed)."""

from django.tasks import task

from casebridge.alerts.notifications import send_due
from casebridge.alerts.services import evaluate_clients, sweep


@task()
def evaluate_changed_clients(client_ids: list[int]) -> dict[str, int]:
    """Queued right after a change to these clients' facts commits. Safe to run twice or to be
    killed halfway: evaluating is one transaction that brings alerts in step with the record."""
    result = evaluate_clients(client_ids)
    return {"opened": result.opened, "resolved": result.resolved, "reopened": result.reopened}


@task()
def sweep_alerts() -> dict[str, int]:
    """Queued by `casebridge clock` (which `serve` runs). Each batch of clients is its own
    transaction; a sweep cut short is finished by the next one, and nothing is made twice."""
    result = sweep()
    return {
        "clients": result.clients,
        "opened": result.opened,
        "resolved": result.resolved,
        "reopened": result.reopened,
        "woken": result.woken,
    }


@task()
def send_alert_notifications() -> int:
    """Queued when alerts are made, and by `casebridge clock` for those held through quiet
    hours. A rerun sends nothing twice (casebridge/alerts/notifications.py)."""
    return send_due()

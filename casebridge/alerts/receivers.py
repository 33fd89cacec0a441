"""Re-evaluating a client's alerts right after a change to their facts commits.

The domain never calls alerts: these receivers listen for saves and deletes of the records
the rules read, collect the clients touched in a transaction, and queue one evaluation for
them once it commits (nothing is queued for a change that rolls back). A queue that cannot be
reached loses nothing: the periodic sweep evaluates every client anyway.
"""

import logging
from typing import Any

from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save

log = logging.getLogger(__name__)


class _Pending:
    """The clients touched in one transaction, evaluated once when it commits."""

    def __init__(self) -> None:
        self.client_ids: set[int] = set()

    def __call__(self) -> None:
        from casebridge.alerts.tasks import evaluate_changed_clients

        evaluate_changed_clients.enqueue(sorted(self.client_ids))


def client_changed(client_id: int | None) -> None:
    if client_id is None:
        return
    pending = getattr(connection, "_alerts_pending", None)
    registered = connection.in_atomic_block and any(
        entry[1] is pending for entry in connection.run_on_commit
    )
    if pending is None or not registered:
        pending = _Pending()
        connection._alerts_pending = pending  # type: ignore[attr-defined]
        pending.client_ids.add(client_id)
        # robust: a queue that is down must not turn a saved change into an error page.
        transaction.on_commit(pending, robust=True)
    else:
        pending.client_ids.add(client_id)


def _on_change(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if raw:  # loading fixtures
        return
    label = sender._meta.label
    if label == "clients.Client":
        client_changed(instance.pk)
    elif label == "plans.PlanReview":
        client_changed(instance.plan.client_id)
    else:
        client_changed(instance.client_id)


# The records the rules read (alerts/findings.py).
WATCHED = (
    "clients.Client",
    "clients.ClientFlag",
    "monitoring.CheckIn",
    "monitoring.DrugScreen",
    "monitoring.Appointment",
    "monitoring.Medication",
    "assessments.InstrumentResponse",
    "plans.CarePlan",
    "plans.PlanReview",
    "referrals.Referral",
    "consents.Consent",
    "transitions.Transition",
    "court.Obligation",
)


def connect() -> None:
    from django.apps import apps

    for label in WATCHED:
        model = apps.get_model(label)
        post_save.connect(_on_change, sender=model, dispatch_uid=f"alerts-save-{label}")
        post_delete.connect(_on_change, sender=model, dispatch_uid=f"alerts-delete-{label}")

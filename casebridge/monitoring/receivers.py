"""When a program changes which contacts count under a model, or a client moves to another
program or model of case management, the last contact of the clients concerned is worked out
again from their signed notes."""

from typing import Any

from casebridge.clients.models import Client
from casebridge.monitoring.models import ContactStandard
from casebridge.plans.models import CarePlan
from casebridge.plans.statuses import PlanStatus


def contact_standard_changed(sender: type, instance: ContactStandard, **kwargs: Any) -> None:
    from casebridge.monitoring.services.notes import contact_times_refresh
    from casebridge.monitoring.statuses import RECORDED

    # Only clients with signed notes: a last contact kept from before notes were recorded here
    # is left as it is.
    clients = Client.objects.filter(
        program_id=instance.program_id,
        case_management_model=instance.model,
        contact_notes__status__in=RECORDED,
    ).distinct()
    for client in clients:
        contact_times_refresh(client=client)


# The client's facts that decide which contact types count (monitoring.standards).
COUNTING_FACTS = frozenset({"program", "program_id", "case_management_model"})
_BEFORE = "_counting_facts_before"


def client_counting_facts_noted(
    sender: type,
    instance: Client,
    raw: bool = False,
    update_fields: frozenset[str] | None = None,
    **kwargs: Any,
) -> None:
    """Before a client is saved, note the program and model stored for them, so the save can
    tell whether they change. One look-up by primary key, and none for a save that writes
    neither (update_fields) or for a new client."""
    before = None
    if (
        not raw
        and not instance._state.adding
        and (update_fields is None or COUNTING_FACTS & set(update_fields))
    ):
        before = (
            Client.objects.filter(pk=instance.pk)
            .values_list("program_id", "case_management_model")
            .first()
        )
    setattr(instance, _BEFORE, before)


def client_counting_facts_changed(
    sender: type, instance: Client, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    """A client who moved to another program or model has their last contact worked out again
    by the rule of where they are now, as signing a note does."""
    from casebridge.monitoring.services.notes import contact_times_refresh
    from casebridge.monitoring.statuses import RECORDED

    before = instance.__dict__.pop(_BEFORE, None)
    if created or raw or before is None:
        return
    if before == (instance.program_id, instance.case_management_model):
        return
    # As for a changed standard: a last contact kept from before notes were recorded here is
    # left as it is.
    if instance.contact_notes.filter(status__in=RECORDED).exists():
        contact_times_refresh(client=instance)


def care_plan_saved(
    sender: type,
    instance: CarePlan,
    raw: bool = False,
    update_fields: frozenset[str] | None = None,
    **kwargs: Any,
) -> None:
    """A care plan that takes effect puts on the client's calendar the obligations its steps
    for the client, the family and providers ask for (again and again it adds nothing new); a
    plan that closes with none in effect after it takes them off from now on. A version
    replaced by a newer one is left to the newer one's taking effect."""
    from casebridge.monitoring.services.appointments import (
        obligations_end_with_plan,
        obligations_follow_plan,
    )

    if raw or (update_fields is not None and "status" not in update_fields):
        return
    if instance.status == PlanStatus.ACTIVE:
        obligations_follow_plan(plan=instance)
    elif (
        instance.status == PlanStatus.CLOSED
        and not CarePlan.objects.filter(
            client_id=instance.client_id, status=PlanStatus.ACTIVE
        ).exists()
    ):
        obligations_end_with_plan(client_id=instance.client_id)

"""When a program changes which contacts count under a model, the last contact of its clients
under that model is worked out again from their signed notes."""

from typing import Any

from casebridge.clients.models import Client
from casebridge.monitoring.models import ContactStandard


def contact_standard_changed(sender: type, instance: ContactStandard, **kwargs: Any) -> None:
    from casebridge.monitoring.services import contact_times_refresh
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

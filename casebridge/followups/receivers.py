"""What the followups app does when the transitions app says care ended or the client was
admitted again (it listens; transitions never calls it)."""

from datetime import date
from typing import Any

from casebridge.followups import services
from casebridge.transitions.models import DischargeType


def care_ended(
    sender: Any,
    *,
    client_id: int,
    episode_id: int,
    discharged_on: date,
    discharge_type: str = "",
    **kwargs: Any,
) -> None:
    # Nobody follows up with a client who died.
    if discharge_type == DischargeType.DIED:
        return
    services.followups_schedule(episode_id=episode_id)


def admitted(
    sender: Any, *, client_id: int, episode_id: int, admitted_on: date, **kwargs: Any
) -> None:
    services.followups_back_in_care(
        client_id=client_id, episode_id=episode_id, admitted_on=admitted_on
    )

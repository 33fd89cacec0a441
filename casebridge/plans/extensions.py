"""Where capabilities built on care plans say what became of a goal or an action: a referral
made for an action, its status and outcome under the goal it serves. `plans` imports none of
them; each registers a provider here from its AppConfig.ready()."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID


@dataclass(frozen=True)
class PlanLink:
    """One line under a goal or an action, linking to where it is followed up."""

    text: str
    url: str
    state: str = ""  # a short status, e.g. "Accepted"; shown beside the text


# Given the plan version on show and the person looking, return the links that person may
# follow by the goal's or the action's key (stable across versions), in a constant number of
# queries.
PlanLinkProvider = Callable[[Any, Any], dict[UUID, list[PlanLink]]]

PLAN_LINK_PROVIDERS: list[PlanLinkProvider] = []


def register_plan_links(provider: PlanLinkProvider) -> None:
    if provider not in PLAN_LINK_PROVIDERS:
        PLAN_LINK_PROVIDERS.append(provider)


def plan_links(plan: Any, viewer: Any) -> dict[UUID, list[PlanLink]]:
    found: dict[UUID, list[PlanLink]] = {}
    for provider in PLAN_LINK_PROVIDERS:
        for key, links in provider(plan, viewer).items():
            found.setdefault(key, []).extend(links)
    return found

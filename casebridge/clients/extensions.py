"""Places where the capabilities built on clients hang their pieces on the client record.

`clients` imports none of them: each registers here from its AppConfig.ready(), so the client
page grows tabs and the caseload grows due items without the ground knowing what stands on it.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class ClientTab:
    label: str
    url_name: str  # takes client_id
    order: int
    needs_action: str = "view"


@dataclass(frozen=True)
class DueItem:
    label: str
    due_on: date
    url_name: str  # takes client_id

    def is_overdue(self, today: date) -> bool:
        return self.due_on < today


# Given the ids of the clients on a page, return their due items in a constant number of queries.
DueProvider = Callable[[list[int]], dict[int, list[DueItem]]]

# Given collateral ids, say which have a release (a consent) in effect: {id: plain description}.
ReleaseProvider = Callable[[list[int]], dict[int, str]]

TABS: list[ClientTab] = []
DUE_PROVIDERS: list[DueProvider] = []
RELEASE_PROVIDERS: list[ReleaseProvider] = []


def register_tab(tab: ClientTab) -> None:
    if tab.url_name not in {existing.url_name for existing in TABS}:
        TABS.append(tab)
        TABS.sort(key=lambda t: t.order)


def register_due_provider(provider: DueProvider) -> None:
    if provider not in DUE_PROVIDERS:
        DUE_PROVIDERS.append(provider)


def register_release_provider(provider: ReleaseProvider) -> None:
    if provider not in RELEASE_PROVIDERS:
        RELEASE_PROVIDERS.append(provider)


def releases(collateral_ids: Iterable[int]) -> dict[int, str]:
    """Which of these collaterals the client has a release in effect for, and until when."""
    ids = list(collateral_ids)
    found: dict[int, str] = {}
    for provider in RELEASE_PROVIDERS:
        if ids:
            found.update(provider(ids))
    return found


def due_items(client_ids: Iterable[int]) -> dict[int, list[DueItem]]:
    ids = list(client_ids)
    merged: dict[int, list[DueItem]] = {client_id: [] for client_id in ids}
    if not ids:
        return merged
    for provider in DUE_PROVIDERS:
        for client_id, items in provider(ids).items():
            merged.setdefault(client_id, []).extend(items)
    for items in merged.values():
        items.sort(key=lambda item: item.due_on)
    return merged

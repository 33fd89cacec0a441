"""Places where the capabilities built on clients hang their pieces on the client record.

`clients` imports none of them: each registers here from its AppConfig.ready(), so the client
page grows tabs and the caseload grows due items without the ground knowing what stands on it.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any


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


@dataclass(frozen=True)
class TimelineEntryKind:
    """A kind of timeline entry and the policy action a viewer needs to see entries of it.

    An entry may ask for another action than its kind's (a coach's own task outcome needs less
    than a case manager's); the entry row keeps the action it was written with.
    """

    code: str
    label: str
    needs_action: str = "view"


# Given the ids of the clients on a page, return their due items in a constant number of queries.
DueProvider = Callable[[list[int]], dict[int, list[DueItem]]]
# The same, for items that each carry the action a viewer needs (alerts): given the viewer's
# actions too, it returns only the items those actions may see.
ViewerDueProvider = Callable[[list[int], frozenset[str]], dict[int, list[DueItem]]]


@dataclass(frozen=True)
class _RegisteredDueProvider:
    provider: DueProvider | ViewerDueProvider
    needs_action: str
    per_viewer: bool = False


# Given collateral ids, say which have a release (a consent) in effect: {id: plain description}.
ReleaseProvider = Callable[[list[int]], dict[int, str]]

# Given the client whose case is being concluded, who concludes it and why, end what the
# capability still has running for the client (tasks, obligations, hand-offs). Runs in the
# stage move's transaction: a step that fails leaves the case as it was.
ConclusionStep = Callable[[Any, Any, str], None]

TABS: list[ClientTab] = []
CONCLUSION_STEPS: list[ConclusionStep] = []
DUE_PROVIDERS: list[_RegisteredDueProvider] = []
RELEASE_PROVIDERS: list[ReleaseProvider] = []
TIMELINE_KINDS: dict[str, TimelineEntryKind] = {}


def register_tab(tab: ClientTab) -> None:
    if tab.url_name not in {existing.url_name for existing in TABS}:
        TABS.append(tab)
        TABS.sort(key=lambda t: t.order)


def register_due_provider(provider: DueProvider, *, needs_action: str) -> None:
    """`needs_action` is what the due items link to: a viewer without it never sees them, and
    the provider's queries are not even run for that viewer."""
    entry = _RegisteredDueProvider(provider, needs_action)
    if entry not in DUE_PROVIDERS:
        DUE_PROVIDERS.append(entry)


def register_viewer_due_provider(provider: ViewerDueProvider, *, needs_action: str) -> None:
    """A provider whose items each need their own action: it is given the viewer's actions and
    filters by them in its query. `needs_action` is the least any of its items needs."""
    entry = _RegisteredDueProvider(provider, needs_action, per_viewer=True)
    if entry not in DUE_PROVIDERS:
        DUE_PROVIDERS.append(entry)


def register_conclusion_step(step: ConclusionStep) -> None:
    if step not in CONCLUSION_STEPS:
        CONCLUSION_STEPS.append(step)


def conclude(client: Any, by: Any, reason: str) -> None:
    """Run every capability's conclusion step for this client (inside the caller's transaction)."""
    for step in CONCLUSION_STEPS:
        step(client, by, reason)


def register_timeline_kind(kind: TimelineEntryKind) -> None:
    TIMELINE_KINDS.setdefault(kind.code, kind)


def timeline_kind(code: str) -> TimelineEntryKind:
    """The registered kind; an unknown code is refused, so every entry knows who may see it."""
    try:
        return TIMELINE_KINDS[code]
    except KeyError:
        raise LookupError(f"Timeline kind {code!r} was never registered") from None


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


def due_items(client_ids: Iterable[int], actions: Iterable[str]) -> dict[int, list[DueItem]]:
    """The due items of these clients that a viewer with `actions` may open."""
    ids = list(client_ids)
    allowed = set(actions)
    merged: dict[int, list[DueItem]] = {client_id: [] for client_id in ids}
    if not ids:
        return merged
    for registered in DUE_PROVIDERS:
        if registered.needs_action not in allowed:
            continue
        found = (
            registered.provider(ids, frozenset(allowed))  # type: ignore[call-arg]
            if registered.per_viewer
            else registered.provider(ids)  # type: ignore[call-arg]
        )
        for client_id, items in found.items():
            merged.setdefault(client_id, []).extend(items)
    for items in merged.values():
        items.sort(key=lambda item: item.due_on)
    return merged

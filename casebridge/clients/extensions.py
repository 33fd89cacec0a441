"""Places where the capabilities built on clients hang their pieces on the client record.

`clients` imports none of them: each registers here from its AppConfig.ready(), so the client
page grows tabs and the caseload grows due items without the ground knowing what stands on it.
"""

import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from django.core.cache import caches
from django.db.models import Model
from django.utils import timezone


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
class DueSource:
    """A table a due provider reads. A change to one of its rows changes the due items of one
    client (`client`: the path from a row to its client's id) or, for a program's setting, of
    every client of a program (`program`: the path from a row to the program's id)."""

    model: type[Model]
    client: str = "client_id"
    program: str = ""


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


def register_due_provider(
    provider: DueProvider, *, needs_action: str, reads: Iterable[type[Model] | DueSource]
) -> None:
    """`needs_action` is what the due items link to: a viewer without it never sees them, and
    the provider's queries are not even run for that viewer. `reads` names every table the
    provider reads (a bare model is one with a `client` foreign key): a change to any of them
    makes the clients' due items be worked out again (see `due_items`)."""
    entry = _RegisteredDueProvider(provider, needs_action)
    if entry not in DUE_PROVIDERS:
        DUE_PROVIDERS.append(entry)
    _watch(reads)


def register_viewer_due_provider(
    provider: ViewerDueProvider, *, needs_action: str, reads: Iterable[type[Model] | DueSource]
) -> None:
    """A provider whose items each need their own action: it is given the viewer's actions and
    filters by them in its query. `needs_action` is the least any of its items needs."""
    entry = _RegisteredDueProvider(provider, needs_action, per_viewer=True)
    if entry not in DUE_PROVIDERS:
        DUE_PROVIDERS.append(entry)
    _watch(reads)


# Due items are kept, per process, for the clients looked at lately. Each is filed under the
# client's due stamp (`Client.due_stamp`), which every change to a table a provider reads
# replaces in the change's own transaction, so a kept list is never used after such a change,
# whichever process or instance made it. What time alone changes (an appointment now over, a
# day now past) is covered by filing under the day and a few minutes of the clock.
DUE_CACHE = "due"
DUE_MINUTES = 5
DUE_SOURCES: dict[type[Model], list[DueSource]] = {}


def _watch(reads: Iterable[type[Model] | DueSource]) -> None:
    from django.db.models.signals import post_delete, post_save

    for read in reads:
        source = read if isinstance(read, DueSource) else DueSource(read)
        known = DUE_SOURCES.setdefault(source.model, [])
        if source in known:
            continue
        known.append(source)
        for signal in (post_save, post_delete):
            signal.connect(
                due_source_changed,
                sender=source.model,
                dispatch_uid=f"clients.due.{source.model._meta.label}.{signal is post_save}",
            )


def _path(row: Model, path: str) -> Any:
    from django.core.exceptions import ObjectDoesNotExist

    value: Any = row
    for step in path.split("."):
        try:
            value = getattr(value, step, None)
        except ObjectDoesNotExist:  # a row deleted along with what it hangs from
            return None
        if value is None:
            return None
    return value


def due_source_changed(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    """The receiver of saves and deletes of every table a due provider reads: renews the stamp
    of the client (or every client of the program) the row belongs to."""
    from casebridge.clients.models import Client

    # Client.save() renews its own stamp as it saves. Rows loaded as they are (a restore from
    # a backup) bring back the stamps they were kept with.
    if sender is Client or kwargs.get("raw"):
        return
    for source in DUE_SOURCES.get(sender, []):
        if source.program:
            program_id = _path(instance, source.program)
            if program_id is not None:
                Client.objects.filter(program_id=program_id).renew_due_stamps()
        else:
            client_id = _path(instance, source.client)
            if client_id is not None:
                Client.objects.filter(pk=client_id).renew_due_stamps()


def due_changed(client_ids: Iterable[int]) -> None:
    """For writers that skip signals (a queryset's update, bulk_create): these clients' due
    items are to be worked out again. Call it inside the write's transaction."""
    from casebridge.clients.models import Client

    ids = sorted(set(client_ids))
    if ids:
        Client.objects.filter(pk__in=ids).renew_due_stamps()


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


def due_items(
    client_ids: Iterable[int], actions: Iterable[str], *, stamps: Mapping[int, UUID] | None = None
) -> dict[int, list[DueItem]]:
    """The due items of these clients that a viewer with `actions` may open. Given the
    clients' due stamps, lists kept from an earlier call with the same stamps (this process,
    same day, the last few minutes) are used instead of asking again."""
    ids = list(client_ids)
    allowed = set(actions)
    if stamps is None or not ids:
        return _due_items(ids, allowed)
    now = timezone.now()
    when = f"{timezone.localdate(now).isoformat()}.{int(now.timestamp()) // (DUE_MINUTES * 60)}"
    # What the viewer may open decides which items are kept for them (a key stays short).
    viewer = hashlib.sha256(",".join(sorted(allowed)).encode()).hexdigest()[:32]
    keys = {client_id: f"{client_id}.{stamps[client_id]}.{when}.{viewer}" for client_id in ids}
    cache = caches[DUE_CACHE]
    kept = cache.get_many(list(keys.values()))
    merged = {client_id: kept[key] for client_id, key in keys.items() if key in kept}
    missing = [client_id for client_id in ids if client_id not in merged]
    if missing:
        found = _due_items(missing, allowed)
        cache.set_many({keys[client_id]: found[client_id] for client_id in missing})
        merged.update(found)
    return {client_id: merged[client_id] for client_id in ids}


def _due_items(ids: list[int], allowed: set[str]) -> dict[int, list[DueItem]]:
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

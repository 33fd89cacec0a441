"""The directory holds no client data and knows nothing of clients: a search made for a client
(distances from the client's ZIP code) asks whoever registered here to find the client, through
the access policy and its audit. The referrals app registers it from its AppConfig.ready()."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import Http404


@dataclass(frozen=True)
class SearchedFor:
    """What the search needs of the client: whom to name, and where they live."""

    pk: int
    display_name: str
    address: str


# (the person searching, the client's id) -> the client, or Http404 when they may not see them.
ClientLookup = Callable[[Any, int], SearchedFor]
_LOOKUPS: list[ClientLookup] = []


def register_client_lookup(lookup: ClientLookup) -> None:
    if lookup not in _LOOKUPS:
        _LOOKUPS.append(lookup)


def client_searched_for(user: Any, client_id: int) -> SearchedFor:
    if not _LOOKUPS:
        raise Http404
    return _LOOKUPS[0](user, client_id)

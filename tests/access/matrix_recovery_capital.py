"""The URL matrix's rows for the recovery capital app (see test_url_matrix.py for the people)."""

from collections.abc import Callable

from tests.access.matrix_people import row


def _client(w: object) -> dict[str, int]:
    return {"client_id": w.client.pk}  # type: ignore[attr-defined]


def _tie(w: object) -> dict[str, int]:
    return {**_client(w), "tie_id": w.support_tie.pk}  # type: ignore[attr-defined]


# The tab is read by whoever views the client (the scores only by those who read clinical
# content); the network is kept by the case team and the coach. An empty post says what is
# wrong; ending a tie goes back to the tab.
ROWS: dict[str, tuple[str, Callable[[object], dict[str, int]], dict[str, int]]] = {
    "recovery_capital": ("get", _client, row(404, alice=200, sue=200, cody=200)),
    "support_tie_add": ("post", _client, row(404, alice=400, sue=400, cody=400)),
    "support_tie_end": ("post", _tie, row(404, alice=302, sue=302, cody=302)),
}

OTHER_ORGANISATION: list[str] = ["recovery_capital"]


def prepare(world: object) -> None:
    """The client's sponsor is in the network."""
    from casebridge.recovery_capital.services import tie_add

    world.support_tie = tie_add(  # type: ignore[attr-defined]
        client=world.client,  # type: ignore[attr-defined]
        by=world.alice,  # type: ignore[attr-defined]
        kind="sponsor",
        name="Mike R.",
    )

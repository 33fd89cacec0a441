"""The URL matrix's rows for the coaching app (see test_url_matrix.py for the people)."""

from collections.abc import Callable

from tests.access.matrix_people import row

ROWS: dict[str, tuple[str, Callable[[object], dict[str, int]], dict[str, int]]] = {
    # The tab holds nothing clinical: whoever views the client reads it (cody, the coach, too).
    "coaching_client": (
        "get",
        lambda w: {"client_id": w.client.pk},  # type: ignore[attr-defined]
        row(404, alice=200, sue=200, cody=200),
    ),
    # The coach's day: for everyone with a caseload (each sees the clients they coach).
    "coach_day": ("get", lambda w: {}, row(200, ada=404, aud=404, jude=404)),
}

OTHER_ORGANISATION: list[str] = ["coaching_client"]


def prepare(world: object) -> None:
    """Nothing more: the client is coached by cody."""

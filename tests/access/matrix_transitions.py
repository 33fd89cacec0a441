"""The URL matrix's rows for the transitions app (see test_url_matrix.py for the people)."""

from collections.abc import Callable

from tests.access.matrix_people import row  # noqa: F401 (for the rows to come)

# name: (method, kwargs-maker, expected status per person), as in test_url_matrix.MATRIX.
ROWS: dict[str, tuple[str, Callable[[object], dict[str, int]], dict[str, int]]] = {}

# Client URLs (taking only client_id) that another organisation's staff must find missing.
OTHER_ORGANISATION: list[str] = []


def prepare(world: object) -> None:
    """Add what the rows need to the shared world (the matrix fixture calls this)."""

"""The URL matrix's rows for the discharge app (see test_url_matrix.py for the people)."""

from collections.abc import Callable

from tests.access.matrix_people import row

# name: (method, kwargs-maker, expected status per person), as in test_url_matrix.MATRIX.
ROWS: dict[str, tuple[str, Callable[[object], dict[str, int]], dict[str, int]]] = {}


def _client(world: object) -> dict[str, int]:
    return {"client_id": world.client.pk}  # type: ignore[attr-defined]


def _final(world: object) -> dict[str, int]:
    return _client(world) | {"summary_id": world.discharge_final.pk}  # type: ignore[attr-defined]


def _draft(world: object) -> dict[str, int]:
    return _client(world) | {"summary_id": world.discharge_draft.pk}  # type: ignore[attr-defined]


ROWS = {
    # The aftercare plan is what a coach needs; the summaries are clinical.
    "discharge_home": ("get", _client, row(404, alice=200, sue=200, cody=200)),
    "aftercare_edit": ("get", _client, row(404, alice=200, sue=200)),
    "aftercare_pdf": ("get", _client, row(404, alice=200, sue=200)),
    # A draft is open, so starting another is refused with a message (302).
    "discharge_summary_start": ("post", _client, row(404, alice=302, sue=302)),
    "discharge_summary_detail": ("get", _final, row(404, alice=200, sue=200)),
    "discharge_summary_edit": ("get", _draft, row(404, alice=200, sue=200)),
    "discharge_summary_finalise": ("post", _draft, row(404, alice=400, sue=400)),
    "discharge_summary_pdf": ("get", _final, row(404, alice=200, sue=200)),
    "discharge_summary_send": ("post", _final, row(404, alice=400, sue=400)),
}

# Client URLs (taking only client_id) that another organisation's staff must find missing.
OTHER_ORGANISATION: list[str] = ["discharge_home", "aftercare_edit", "aftercare_pdf"]


def prepare(world: object) -> None:
    """Add what the rows need to the shared world (the matrix fixture calls this): an aftercare
    plan, a final summary and a draft."""
    from tests.discharge.helpers import aftercare, draft, final

    aftercare(world)
    world.discharge_final = final(world)  # type: ignore[attr-defined]
    world.discharge_draft = draft(world)  # type: ignore[attr-defined]

"""The URL matrix's rows for levels of care (see test_url_matrix.py for the people)."""

from collections.abc import Callable
from datetime import timedelta

from django.utils import timezone

from casebridge.transitions import services
from tests.access.matrix_people import row

# Who works with the client's care: the assigned case manager and the supervisor. The coach
# sees where the client is (the tab); bob (not assigned) and everyone else find nothing.
READS = row(404, alice=200, sue=200, cody=200)
PLANS = row(404, alice=200, sue=200)


def _client(w: object) -> dict[str, int]:
    return {"client_id": w.client.pk}  # type: ignore[attr-defined]


def _episode(w: object) -> dict[str, int]:
    return {"client_id": w.client.pk, "episode_id": w.episode.pk}  # type: ignore[attr-defined]


def _transition(w: object) -> dict[str, int]:
    return {"client_id": w.client.pk, "transition_id": w.transition.pk}  # type: ignore[attr-defined]


def _item(w: object) -> dict[str, int]:
    return {"client_id": w.client.pk, "item_id": w.records_item.pk}  # type: ignore[attr-defined]


# name: (method, kwargs-maker, expected status per person), as in test_url_matrix.MATRIX.
ROWS: dict[str, tuple[str, Callable[[object], dict[str, int]], dict[str, int]]] = {
    "care_levels": ("get", _client, READS),
    "episode_new": ("get", _client, PLANS),
    "episode_discharge": ("get", _episode, PLANS),
    "transition_new": ("get", _client, PLANS),
    "transition_admit": ("get", _transition, PLANS),
    "transition_cancel": ("get", _transition, PLANS),
    "handoff_item": ("get", _item, PLANS),
    "handoff_records": ("get", _item, PLANS),
}

# Client URLs (taking only client_id) that another organisation's staff must find missing.
OTHER_ORGANISATION: list[str] = ["care_levels", "episode_new", "transition_new"]


def prepare(world: object) -> None:
    """A client who left residential care yesterday, waiting for admission at the next level."""
    w = world
    episode = services.episode_admit(
        client=w.client,  # type: ignore[attr-defined]
        by=w.alice,  # type: ignore[attr-defined]
        level="3.5",
        admitted_on=timezone.localdate() - timedelta(days=30),
        place_name="Hope House",
    )
    w.transition = services.transition_open(  # type: ignore[attr-defined]
        client=w.client,  # type: ignore[attr-defined]
        by=w.alice,  # type: ignore[attr-defined]
        to_level="2.1",
        left_on=timezone.localdate() - timedelta(days=1),
        reason="Finished residential treatment",
        to_place_name="Bridge IOP",
        episode_version=episode.version,
    )
    w.episode = episode  # type: ignore[attr-defined]
    w.records_item = w.transition.items.get(kind="records_sent")  # type: ignore[attr-defined]

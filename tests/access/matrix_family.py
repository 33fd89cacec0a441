"""The URL matrix's rows for the family app (see test_url_matrix.py for the people)."""

from collections.abc import Callable

from tests.access.matrix_people import row


def _client(w: object) -> dict[str, int]:
    return {"client_id": w.client.pk}  # type: ignore[attr-defined]


def _plan(w: object) -> dict[str, int]:
    return {"plan_id": w.intervention.pk}  # type: ignore[attr-defined]


def _person(w: object) -> dict[str, int]:
    return {**_plan(w), "person_id": w.intervention_person.pk}  # type: ignore[attr-defined]


# Those who register clients start plans (an empty list is theirs too); a plan is its planning
# team's (alice leads) and its program's supervisors'; an empty post says what is wrong.
STARTERS = {"alice": 200, "bob": 200, "sue": 200, "otto": 200, "ivy": 200, "charlie": 200}
ROWS: dict[str, tuple[str, Callable[[object], dict[str, int]], dict[str, int]]] = {
    "intervention_plans": ("get", lambda w: {}, row(404, **STARTERS)),
    "intervention_new": ("get", lambda w: {}, row(404, **STARTERS)),
    "intervention_plan": ("get", _plan, row(404, alice=200, sue=200)),
    "intervention_edit": ("post", _plan, row(404, alice=400, sue=400)),
    "intervention_person_add": ("post", _plan, row(404, alice=400, sue=400)),
    "intervention_person": ("get", _person, row(404, alice=200, sue=200)),
    "intervention_session": ("post", _plan, row(404, alice=400, sue=400)),
    "intervention_outcome": ("post", _plan, row(404, alice=400, sue=400)),
    # A client's family: clinical to read, as contact notes are; recording is record_contact.
    "family_client": ("get", _client, row(404, alice=200, sue=200)),
    "family_contact_add": ("post", _client, row(404, alice=400, sue=400)),
    "family_group_add": ("post", _client, row(404, alice=400, sue=400)),
}

OTHER_ORGANISATION: list[str] = ["family_client"]


def prepare(world: object) -> None:
    """alice leads a plan in the program, with the mother taking part."""
    from casebridge.family import services

    world.intervention = services.plan_start(  # type: ignore[attr-defined]
        by=world.alice,  # type: ignore[attr-defined]
        program=world.program,  # type: ignore[attr-defined]
        first_name="Dana",
        last_name="Ruiz",
        asked_by="Ana Ruiz, mother",
        concern="Drinking every day.",
    )
    world.intervention_person = services.participant_add(  # type: ignore[attr-defined]
        plan=world.intervention,  # type: ignore[attr-defined]
        by=world.alice,  # type: ignore[attr-defined]
        name="Ana Ruiz",
        relationship="family",
        letter="Dear Dana",
    )

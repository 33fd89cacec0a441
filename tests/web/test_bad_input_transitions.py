"""Fuzzing the levels-of-care forms as in test_bad_input_fuzz: junk in any field of recording a
stay, leaving, a transition, its admission or cancelling, a hand-off step or sending records
never fails the page, an error answer saves nothing, the audit trail still verifies."""

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from casebridge.clients.models import Client
from casebridge.consents.models import Disclosure
from casebridge.transitions import services
from casebridge.transitions.models import Episode, HandoffItem, Transition
from tests.factories import ConsentFactory
from tests.web.test_bad_input_fuzz import FormCase, post_junk, post_valid


def _day(days_ago: int) -> str:
    return (timezone.localdate() - timedelta(days=days_ago)).isoformat()


def _saved(tr: Any) -> Any:
    return tuple(
        tuple(model.objects.order_by("pk").values_list())
        for model in (Episode, Transition, HandoffItem, Client, Disclosure)
    )


def _item(tr: Any, kind: str) -> HandoffItem:
    return HandoffItem.objects.get(transition=tr.transition, kind=kind)


CASES: dict[str, FormCase] = {
    "record a stay": FormCase(
        user="alice",
        url=lambda tr: reverse("episode_new", args=[tr.world.foreign_free.pk]),
        valid=lambda tr: {
            "level": "3.7",
            "program": "",
            "place_name": "St. Elizabeth Recovery Unit",
            "admitted_on": _day(3),
            "assessment": "",
        },
        saved=_saved,
    ),
    "record leaving": FormCase(
        user="alice",
        url=lambda tr: reverse("episode_discharge", args=[tr.world.client.pk, tr.stay.pk]),
        valid=lambda tr: {
            "version": Episode.objects.get(pk=tr.stay.pk).version,
            "discharged_on": _day(0),
            "discharge_type": "completed",
            "discharge_reason": "Finished the program",
        },
        saved=_saved,
    ),
    "plan the next level": FormCase(
        user="alice",
        url=lambda tr: reverse("transition_new", args=[tr.world.client.pk]),
        valid=lambda tr: {
            "episode_version": Episode.objects.get(pk=tr.stay.pk).version,
            "to_level": "2.1",
            "to_program": "",
            "to_place_name": "Bridge IOP",
            "referral": "",
            "left_on": _day(0),
            "discharge_type": "transferred",
            "reason": "Finished residential treatment",
        },
        saved=_saved,
    ),
    "confirm the admission": FormCase(
        user="alice",
        url=lambda tr: reverse(
            "transition_admit", args=[tr.world.engagement_client.pk, tr.transition.pk]
        ),
        valid=lambda tr: {
            "version": Transition.objects.get(pk=tr.transition.pk).version,
            "admitted_on": _day(0),
            "assessment": "",
        },
        saved=_saved,
    ),
    "cancel the move": FormCase(
        user="alice",
        url=lambda tr: reverse(
            "transition_cancel", args=[tr.world.engagement_client.pk, tr.transition.pk]
        ),
        valid=lambda tr: {
            "version": Transition.objects.get(pk=tr.transition.pk).version,
            "reason": "The client chose another place",
        },
        saved=_saved,
    ),
    "a hand-off step": FormCase(
        user="alice",
        url=lambda tr: reverse(
            "handoff_item",
            args=[tr.world.engagement_client.pk, _item(tr, "appointment").pk],
        ),
        valid=lambda tr: {
            "version": _item(tr, "appointment").version,
            "state": "done",
            "owner": tr.world.sue.pk,
            "due_on": _day(0),
            "details": "Group room 2",
            "appointment_day": _day(-2),
            "appointment_time": "09:30",
        },
        saved=_saved,
    ),
    "send records": FormCase(
        user="alice",
        url=lambda tr: reverse(
            "handoff_records",
            args=[tr.world.engagement_client.pk, _item(tr, "records_sent").pk],
        ),
        valid=lambda tr: {
            "version": _item(tr, "records_sent").version,
            "categories": ["assessment", "plan"],
            "description": "Assessment and care plan",
            "method": "faxed",
        },
        saved=_saved,
    ),
}


@pytest.fixture
def tr(world):
    """world.client at residential care now; world.engagement_client moving from residential to
    Bridge IOP (with a consent that covers sending records there); a third client of alice's
    with no stay yet."""
    from tests.factories import ClientFactory

    world.foreign_free = ClientFactory(
        program=world.program, primary_case_manager=world.alice, registered_by=world.ivy
    )
    stay = services.episode_admit(
        client=world.client,
        by=world.alice,
        level="3.5",
        admitted_on=timezone.localdate() - timedelta(days=30),
        place_name="Hope House",
    )
    moving = services.episode_admit(
        client=world.engagement_client,
        by=world.alice,
        level="3.5",
        admitted_on=timezone.localdate() - timedelta(days=30),
        place_name="Hope House",
    )
    transition = services.transition_open(
        client=world.engagement_client,
        by=world.alice,
        to_level="2.1",
        left_on=timezone.localdate() - timedelta(days=1),
        reason="Finished residential treatment",
        to_place_name="Bridge IOP",
        episode_version=moving.version,
    )
    ConsentFactory(
        client=world.engagement_client,
        recipient_kind="named",
        recipient_name="Bridge IOP",
        purpose="treatment",
        categories=["assessment", "plan"],
    )
    return SimpleNamespace(world=world, stay=stay, transition=transition)


@pytest.mark.parametrize("name", list(CASES))
def test_junk_in_any_levels_of_care_field_is_never_a_server_error_and_saves_nothing(
    client, tr, name
):
    post_junk(client, name, CASES[name], tr)


def test_the_valid_levels_of_care_posts_do_succeed(client, tr):
    post_valid(client, CASES, tr)

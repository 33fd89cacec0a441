"""The Recovery capital tab: the support network and the client's own words, kept by the case
team and the coach; the BARC-10 trend and the days in recovery beside them, for those who read
clinical content only."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from casebridge.assessments.services import instrument_record
from casebridge.audit.models import AuditEvent
from casebridge.audit.versions import VersionConflict
from casebridge.recovery_capital import services
from casebridge.recovery_capital.models import SupportTie
from casebridge.recovery_capital.queries import milestones
from tests.monitoring.recovery_helpers import all_negative, record_screen

pytestmark = pytest.mark.django_db


def barc(world, each):
    instrument_record(
        client=world.client,
        by=world.alice,
        code="barc10",
        answers={str(i): each for i in range(1, 11)},
    )


def tab(client, who, world):
    client.force_login(who)
    response = client.get(reverse("recovery_capital", args=[world.client.pk]))
    return response.status_code, response.content.decode()


def test_the_network_and_the_trend_side_by_side_for_the_case_manager(client, world):
    barc(world, 3)
    barc(world, 5)
    services.tie_add(client=world.client, by=world.cody, kind="sponsor", name="Mike R.")
    services.tie_add(
        client=world.client, by=world.alice, kind="avoid", name="The Corner Bar", note="Old crowd"
    )
    status, text = tab(client, world.alice, world)
    assert status == 200
    assert "Recovery capital over time (BARC-10)" in text and "<polyline" in text
    assert "Mike R." in text and "The Corner Bar" in text and "Person or place to stay away" in text
    # The table beside the chart has the same numbers: 30 and then 50.
    assert "<td>30</td>" in text and "<td>50</td>" in text


def test_the_coach_keeps_the_network_but_never_sees_the_scores(client, world):
    barc(world, 4)
    record_screen(
        world,
        collected_on=timezone.localdate() - timedelta(days=40),
        results=all_negative(cocaine="positive"),
    )
    status, text = tab(client, world.cody, world)
    assert status == 200
    assert "BARC-10" not in text and "Days in recovery" not in text and "<td>40</td>" not in text
    assert "Add to the network" in text
    response = client.post(
        reverse("support_tie_add", args=[world.client.pk]),
        {"tie-kind": "home_group", "tie-name": "Tuesday Night Hope"},
    )
    assert response.status_code == 302
    assert SupportTie.objects.get().added_by == world.cody
    status, text = tab(client, world.alice, world)
    assert "Days in recovery" in text and "40 days" in text


def test_others_find_nothing_and_change_nothing(client, world):
    for who in (world.bob, world.otto, world.charlie, world.ada, world.aud):
        assert tab(client, who, world)[0] == 404
    response = client.post(
        reverse("support_tie_add", args=[world.client.pk]),
        {"tie-kind": "sponsor", "tie-name": "X"},
    )
    assert response.status_code == 404
    assert not SupportTie.objects.exists()


def test_bad_input_is_explained_and_two_writers_never_overwrite(client, world):
    client.force_login(world.alice)
    response = client.post(reverse("support_tie_add", args=[world.client.pk]), {"tie-kind": ""})
    assert response.status_code == 400
    assert "Give the name." in response.content.decode()
    with pytest.raises(ValidationError):
        services.tie_add(
            client=world.client,
            by=world.alice,
            kind="sponsor",
            name="Mike",
            since=timezone.localdate() + timedelta(days=3),
        )
    services.own_words_save(
        client=world.client, by=world.alice, text="My daughter's graduation in June.", version=0
    )
    with pytest.raises(VersionConflict):
        services.own_words_save(client=world.client, by=world.cody, text="Work.", version=0)
    url = reverse("recovery_capital", args=[world.client.pk])
    stale = client.post(url, {"words-text": "Something else", "words-version": 0})
    assert stale.status_code == 409
    assert "graduation in June." in tab(client, world.alice, world)[1]


def test_ending_a_tie_keeps_it_as_history(client, world):
    tie = services.tie_add(client=world.client, by=world.alice, kind="supporter", name="Aunt Rosa")
    client.force_login(world.alice)
    response = client.post(reverse("support_tie_end", args=[world.client.pk, tie.pk]))
    assert response.status_code == 302
    tie.refresh_from_db()
    assert tie.ended_on == timezone.localdate()
    text = tab(client, world.alice, world)[1]
    assert "No longer part of it" in text
    assert AuditEvent.objects.filter(object_type="support_tie", action="update").exists()


@pytest.mark.parametrize(
    "days,reached,next_label",
    [
        (1, ["24 hours"], "30 days"),
        (29, ["24 hours"], "30 days"),
        (30, ["24 hours", "30 days"], "60 days"),
        (
            365,
            ["24 hours", "30 days", "60 days", "90 days", "6 months", "9 months", "1 year"],
            "18 months",
        ),
        (
            547 + 10,
            [
                "24 hours",
                "30 days",
                "60 days",
                "90 days",
                "6 months",
                "9 months",
                "1 year",
                "18 months",
            ],
            "2 years",
        ),
    ],
)
def test_milestones_at_their_boundaries(days, reached, next_label):
    since = date(2026, 1, 1)
    found = milestones(since, since + timedelta(days=days - 1))
    assert found.days == days and found.reached == reached and found.next_label == next_label
    assert found.next_on > since + timedelta(days=days - 1)

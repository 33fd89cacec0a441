"""Stays and moves for the tests: a client in residential care, stepping down."""

from datetime import date, timedelta

from django.utils import timezone

from casebridge.transitions import services
from casebridge.transitions.models import Episode, Transition


def days_ago(n: int) -> date:
    return timezone.localdate() - timedelta(days=n)


def in_residential(world, *, since: int = 40) -> Episode:
    return services.episode_admit(
        client=world.client,
        by=world.alice,
        level="3.5",
        admitted_on=days_ago(since),
        place_name="Hope House",
    )


def stepping_down(world, *, left: int = 0, since: int = 40) -> Transition:
    episode = in_residential(world, since=since)
    return services.transition_open(
        client=world.client,
        by=world.alice,
        to_level="2.1",
        left_on=days_ago(left),
        reason="Finished residential treatment",
        to_place_name="Bridge IOP",
        episode_version=episode.version,
    )

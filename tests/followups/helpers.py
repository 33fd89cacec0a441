"""Shared steps for follow-up tests. Until casebridge.transitions.services lands, stays are made
with the ORM and the transitions app's signals are sent here, as its services will send them."""

from datetime import date, timedelta

from django.utils import timezone

from casebridge.transitions.models import Episode, Transition, TransitionStatus
from casebridge.transitions.signals import admitted, care_ended


def days_ago(days: int) -> date:
    return timezone.localdate() - timedelta(days=days)


def stay(
    client,
    *,
    admitted_on: date,
    discharged_on: date | None = None,
    discharge_type: str = "",
    level: str = "3.5",
    place: str = "Riverside Residential",
) -> Episode:
    if discharged_on is not None and not discharge_type:
        discharge_type = "completed"
    return Episode.objects.create(
        client=client,
        level=level,
        program=client.program,
        place_name=place,
        admitted_on=admitted_on,
        discharged_on=discharged_on,
        discharge_type=discharge_type,
    )


def end_care(episode: Episode) -> None:
    """What episode_discharge sends once it commits, when no next level is planned."""
    care_ended.send(
        sender=Episode,
        client_id=episode.client_id,
        episode_id=episode.pk,
        discharged_on=episode.discharged_on,
        discharge_type=episode.discharge_type,
    )


def discharged(client, *, days_ago_left: int, stayed: int = 20, **kwargs) -> Episode:
    """A stay that ended `days_ago_left` days ago, with the signal sent."""
    left = days_ago(days_ago_left)
    episode = stay(client, admitted_on=left - timedelta(days=stayed), discharged_on=left, **kwargs)
    end_care(episode)
    return episode


def readmit(client, *, admitted_on: date, level: str = "wm", transition=None) -> Episode:
    """What episode_admit sends once it commits."""
    episode = stay(client, admitted_on=admitted_on, level=level)
    admitted.send(
        sender=Episode,
        client_id=client.pk,
        episode_id=episode.pk,
        admitted_on=admitted_on,
        transition_id=transition.pk if transition is not None else None,
    )
    return episode


def transition(client, from_episode: Episode, *, left_on: date, by, to_episode=None, **kwargs):
    return Transition.objects.create(
        client=client,
        from_episode=from_episode,
        to_level=to_episode.level if to_episode is not None else "1",
        to_place_name="Next place",
        left_on=left_on,
        reason="Step down",
        status=TransitionStatus.ADMITTED
        if to_episode is not None
        else kwargs.pop("status", "open"),
        to_episode=to_episode,
        opened_by=by,
        **kwargs,
    )

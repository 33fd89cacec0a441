"""The next place can confirm the admission itself, through the link of the referral the
transition waits on: booking the client's first appointment today (or telling it after it
happened) admits the transition; a first appointment booked for later day does not yet."""

from datetime import timedelta

from django.utils import timezone

from casebridge.referrals import partner
from casebridge.transitions import services
from casebridge.transitions.models import Episode, TransitionStatus
from tests.referrals.test_packet import sent_referral
from tests.transitions.helpers import days_ago, in_residential


def _moving_with_a_referral(world, django_capture_on_commit_callbacks, provider="Bridge IOP"):
    referral = sent_referral(world, provider=provider)
    episode = in_residential(world)
    transition = services.transition_open(
        client=world.client,
        by=world.alice,
        to_level="2.1",
        left_on=days_ago(2),
        reason="Finished residential treatment",
        referral=referral,
        to_place_name=provider,
        episode_version=episode.version,
    )
    link, _, _ = partner.link_create(referral=referral, by=world.alice, address_of=str)
    return referral, transition, link


def _book(link, referral, when, django_capture_on_commit_callbacks):
    referral.refresh_from_db()
    partner.partner_answer(link=link, to_status="accepted", version=referral.version)
    referral.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        partner.partner_schedule(
            link=link, version=referral.version, starts_at=when, place="Group room 2"
        )


def test_the_provider_booking_today_admits_the_client(world, django_capture_on_commit_callbacks):
    referral, transition, link = _moving_with_a_referral(world, django_capture_on_commit_callbacks)
    _book(link, referral, timezone.now() + timedelta(minutes=5), django_capture_on_commit_callbacks)
    transition.refresh_from_db()
    assert transition.status == TransitionStatus.ADMITTED
    stay = transition.to_episode
    assert stay.admitted_on == timezone.localdate() and stay.admitted_by is None
    assert stay.admitted_by_partner == "Bridge IOP" and stay.level == "2.1"


def test_a_first_appointment_booked_for_later_is_not_an_admission_yet(
    world, django_capture_on_commit_callbacks
):
    referral, transition, link = _moving_with_a_referral(world, django_capture_on_commit_callbacks)
    _book(link, referral, timezone.now() + timedelta(days=5), django_capture_on_commit_callbacks)
    transition.refresh_from_db()
    assert transition.status == TransitionStatus.OPEN
    assert Episode.objects.filter(discharged_on__isnull=True).count() == 0


def test_another_clients_referral_admits_nobody(world, django_capture_on_commit_callbacks):
    _referral, transition, _ = _moving_with_a_referral(world, django_capture_on_commit_callbacks)
    stranger = sent_referral(world, provider="Bridge IOP", client=world.engagement_client)
    stranger.connected_at = timezone.now()
    stranger.status = "in-progress"
    assert services.partner_confirmed(stranger) is None
    transition.refresh_from_db()
    assert transition.status == TransitionStatus.OPEN

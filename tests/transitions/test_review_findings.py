"""What a read-through of levels of care found, each now a rule: the coach never reads why a
stay ended or a move happened; a move called off before the client left keeps them where they
are; a refused sending of records stays on the audit trail; nobody follows up with a client who
died; care that ends with the case starts the follow-ups; a referral that had connected before
the move admits nobody; a closed move's steps do not change; the readmission measure does not
count a client still on the way."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from casebridge.audit.models import AuditEvent
from casebridge.clients.models import Client
from casebridge.clients.services import case_move_stage
from casebridge.consents.services import DisclosureRefused
from casebridge.followups.measures import continuity_measures
from casebridge.followups.models import FollowUp
from casebridge.referrals.models import Referral
from casebridge.referrals.services import referral_draft
from casebridge.transitions import services
from casebridge.transitions.models import Episode, HandoffKind, HandoffState, TransitionStatus
from tests.transitions.helpers import days_ago, in_residential, stepping_down

SECRET = "relapse and overdose last week"


def test_the_coach_never_reads_why_a_stay_ended_or_a_move_happened(client, world):
    episode = in_residential(world)
    transition = services.transition_open(
        client=world.client,
        by=world.alice,
        to_level="2.1",
        left_on=days_ago(1),
        reason=SECRET,
        discharge_type="left_against_advice",
        to_place_name="Bridge IOP",
        episode_version=episode.version,
    )
    services.transition_cancel(
        transition=transition, by=world.alice, version=transition.version, reason=SECRET + " 2"
    )
    client.force_login(world.cody)
    for url in (
        f"/clients/{world.client.pk}/",
        f"/clients/{world.client.pk}/timeline/",
        f"/clients/{world.client.pk}/care-levels/",
    ):
        page = client.get(url).content.decode()
        assert SECRET not in page and "Left against advice" not in page, url
    # The coach still sees where the client has been.
    assert "Hope House" in client.get(f"/clients/{world.client.pk}/care-levels/").content.decode()
    client.force_login(world.alice)
    page = client.get(f"/clients/{world.client.pk}/timeline/").content.decode()
    assert SECRET in page


def test_a_move_called_off_before_the_client_left_keeps_them_where_they_are(
    world, django_capture_on_commit_callbacks
):
    episode = in_residential(world)
    transition = services.transition_open(
        client=world.client,
        by=world.alice,
        to_level="2.1",
        left_on=days_ago(-10),
        reason="Planned step down",
        to_place_name="Bridge IOP",
        episode_version=episode.version,
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.transition_cancel(
            transition=transition, by=world.alice, version=transition.version, reason="No bed"
        )
    episode.refresh_from_db()
    assert episode.is_open and episode.discharge_type == ""
    assert not FollowUp.objects.exists()


def test_a_move_called_off_after_the_client_left_starts_the_follow_ups(
    world, django_capture_on_commit_callbacks
):
    transition = stepping_down(world, left=3)
    with django_capture_on_commit_callbacks(execute=True):
        services.transition_cancel(
            transition=transition, by=world.alice, version=transition.version, reason="Declined"
        )
    assert sorted(FollowUp.objects.values_list("day_mark", flat=True)) == [30, 90, 180]


def test_a_refused_sending_of_records_stays_on_the_audit_trail(world):
    transition = stepping_down(world)
    item = transition.items.get(kind=HandoffKind.RECORDS_SENT)
    with pytest.raises(DisclosureRefused):
        services.handoff_records_send(
            item=item,
            by=world.alice,
            version=item.version,
            categories=["assessment"],
            description="Assessment",
        )
    assert AuditEvent.objects.filter(object_type="disclosure_refused").count() == 1


def test_nobody_follows_up_with_a_client_who_died(world, django_capture_on_commit_callbacks):
    episode = in_residential(world)
    with django_capture_on_commit_callbacks(execute=True):
        services.episode_discharge(
            episode=episode,
            by=world.alice,
            version=episode.version,
            discharged_on=days_ago(0),
            discharge_type="died",
        )
    assert not FollowUp.objects.exists()


def test_care_that_ends_with_the_case_starts_the_follow_ups(
    world, django_capture_on_commit_callbacks
):
    stepping_down(world, left=3)
    current = Client.objects.get(pk=world.client.pk)
    with django_capture_on_commit_callbacks(execute=True):
        case_move_stage(
            client=current,
            to_stage="conclusion",
            by=world.alice,
            reason="Moved away",
            version=current.version,
        )
    assert FollowUp.objects.count() == 3


def test_a_concluded_clients_follow_ups_are_on_my_day(
    client, world, django_capture_on_commit_callbacks
):
    episode = in_residential(world, since=80)
    with django_capture_on_commit_callbacks(execute=True):
        services.episode_discharge(
            episode=episode,
            by=world.alice,
            version=episode.version,
            discharged_on=days_ago(30),
            discharge_type="completed",
        )
    current = Client.objects.get(pk=world.client.pk)
    case_move_stage(
        client=current,
        to_stage="conclusion",
        by=world.alice,
        reason="Done",
        version=current.version,
    )
    client.force_login(world.alice)
    assert "Follow-up at 30 days after leaving care" in client.get("/my-day/").content.decode()


def test_a_referral_that_connected_before_the_move_admits_nobody(
    world, django_capture_on_commit_callbacks
):
    episode = in_residential(world)
    referral = referral_draft(
        client=world.client, by=world.alice, provider_name="Bridge IOP", reason="IOP"
    )
    Referral.objects.filter(pk=referral.pk).update(
        status="in-progress", connected_at=timezone.now() - timedelta(days=60)
    )
    referral.refresh_from_db()
    transition = services.transition_open(
        client=world.client,
        by=world.alice,
        to_level="2.1",
        left_on=days_ago(3),
        reason="Step down",
        referral=referral,
        to_place_name="Bridge IOP",
        episode_version=episode.version,
    )
    with django_capture_on_commit_callbacks(execute=True):
        referral.status_detail = "A note"
        referral.save()
    transition.refresh_from_db()
    assert transition.status == TransitionStatus.OPEN


def test_a_closed_moves_steps_do_not_change(world):
    transition = stepping_down(world)
    services.transition_cancel(
        transition=transition, by=world.alice, version=transition.version, reason="Declined"
    )
    item = transition.items.get(kind=HandoffKind.MEDICATION_BRIDGE)
    with pytest.raises(ValidationError):
        services.handoff_item_save(
            item=item,
            by=world.alice,
            version=item.version,
            state=HandoffState.NOT_NEEDED,
            owner=world.alice,
            due_on=item.due_on,
            details="Rewritten afterwards",
        )


def test_readmission_does_not_count_a_client_still_on_the_way(world):
    first = services.episode_admit(
        client=world.client, by=world.alice, level="3.5", admitted_on=days_ago(100), place_name="A"
    )
    services.episode_discharge(
        episode=first,
        by=world.alice,
        version=first.version,
        discharged_on=days_ago(60),
        discharge_type="completed",
    )
    second = services.episode_admit(
        client=world.client, by=world.alice, level="3.5", admitted_on=days_ago(40), place_name="B"
    )
    services.transition_open(
        client=world.client,
        by=world.alice,
        to_level="2.1",
        left_on=days_ago(35),
        reason="Step down",
        to_place_name="C",
        episode_version=second.version,
    )
    found = continuity_measures(world.sue, period="365", today=timezone.localdate())
    # Care ended once (the first stay) and the client was back 20 days later: 1 of 1.
    assert (found.readmission[30].part, found.readmission[30].whole) == (1, 1)
    assert Episode.objects.count() == 2

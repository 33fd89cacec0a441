"""Stays at levels of care and the moves between them: the rules a case manager relies on."""

import pytest
from django.core.exceptions import ValidationError

from casebridge.audit.models import AuditEvent
from casebridge.audit.versions import VersionConflict
from casebridge.clients.models import Client
from casebridge.clients.services import case_move_stage
from casebridge.transitions import services, signals
from casebridge.transitions.models import (
    Episode,
    HandoffItem,
    HandoffKind,
    HandoffState,
    Transition,
    TransitionStatus,
)
from tests.transitions.helpers import days_ago, in_residential, stepping_down


def test_a_stay_is_recorded_audited_and_on_the_timeline(world):
    episode = in_residential(world)
    assert episode.place_name == "Hope House" and episode.is_open
    assert AuditEvent.objects.filter(object_type="episode", object_id=str(episode.pk)).exists()
    assert world.client.timeline.first().summary.startswith("Admitted to Level 3.5 at Hope House")


def test_admission_to_one_of_our_programs_moves_the_client_there_with_a_reason(world):
    world.alice.programs.add(world.other_program)
    services.episode_admit(
        client=world.client,
        by=world.alice,
        level="3.5",
        admitted_on=days_ago(1),
        program=world.other_program,
    )
    client = Client.objects.get(pk=world.client.pk)
    assert client.program == world.other_program
    summaries = list(client.timeline.values_list("summary", flat=True))
    assert any(s.startswith("Moved from Outpatient to Residential: Admitted to") for s in summaries)


def test_admission_to_a_program_the_person_does_not_work_in_is_refused(world):
    with pytest.raises(ValidationError) as refused:
        services.episode_admit(
            client=world.client,
            by=world.alice,
            level="3.5",
            admitted_on=days_ago(1),
            program=world.other_program,
        )
    assert "program" in refused.value.error_dict
    assert not Episode.objects.exists()
    assert Client.objects.get(pk=world.client.pk).program == world.program


def test_overlapping_stays_are_refused_in_plain_words(world):
    episode = in_residential(world, since=40)
    services.episode_discharge(
        episode=episode,
        by=world.alice,
        version=episode.version,
        discharged_on=days_ago(10),
        discharge_type="completed",
    )
    with pytest.raises(ValidationError) as refused:
        services.episode_admit(
            client=world.client, by=world.alice, level="1", admitted_on=days_ago(20), place_name="X"
        )
    assert "overlaps the stay at Hope House" in str(refused.value)
    # The day it ended is fine: a same-day move.
    services.episode_admit(
        client=world.client, by=world.alice, level="1", admitted_on=days_ago(10), place_name="X"
    )


def test_a_second_open_stay_is_refused(world):
    in_residential(world)
    with pytest.raises(ValidationError) as refused:
        services.episode_admit(
            client=world.client, by=world.alice, level="1", admitted_on=days_ago(1), place_name="X"
        )
    assert "still at Hope House" in str(refused.value)


def test_leaving_before_the_admission_is_refused(world):
    episode = in_residential(world, since=5)
    with pytest.raises(ValidationError) as refused:
        services.episode_discharge(
            episode=episode,
            by=world.alice,
            version=episode.version,
            discharged_on=days_ago(6),
            discharge_type="completed",
        )
    assert "cannot leave before they were admitted" in str(refused.value)
    assert Episode.objects.get(pk=episode.pk).is_open


def test_leaving_care_tells_listeners_once_it_commits(world, django_capture_on_commit_callbacks):
    heard = []

    def listen(**kwargs):
        heard.append(kwargs)

    signals.care_ended.connect(listen)
    try:
        episode = in_residential(world)
        with django_capture_on_commit_callbacks(execute=True):
            services.episode_discharge(
                episode=episode,
                by=world.alice,
                version=episode.version,
                discharged_on=days_ago(0),
                discharge_type="left_against_advice",
            )
    finally:
        signals.care_ended.disconnect(listen)
    assert heard and heard[0]["episode_id"] == episode.pk
    assert heard[0]["discharge_type"] == "left_against_advice"


def test_a_step_down_ends_the_stay_and_opens_a_checklist_of_six_steps(world):
    transition = stepping_down(world, left=0)
    assert transition.status == TransitionStatus.OPEN
    assert transition.from_episode.discharged_on == days_ago(0)
    kinds = set(transition.items.values_list("kind", flat=True))
    assert kinds == set(HandoffKind.values)
    reached = transition.items.get(kind=HandoffKind.CLIENT_REACHED)
    assert reached.due_on == days_ago(-2) and reached.owner == world.alice


def test_a_transition_to_the_level_the_client_is_at_is_refused(world):
    episode = in_residential(world)
    with pytest.raises(ValidationError) as refused:
        services.transition_open(
            client=world.client,
            by=world.alice,
            to_level="3.5",
            left_on=days_ago(0),
            reason="Same",
            to_place_name="Other house",
            episode_version=episode.version,
        )
    assert "already at" in refused.value.message_dict["to_level"][0]
    assert Episode.objects.get(pk=episode.pk).is_open and not Transition.objects.exists()


def test_admission_at_the_next_level_closes_the_transition(world):
    transition = stepping_down(world, left=3)
    episode = services.transition_admit(
        transition=transition, by=world.alice, version=transition.version, admitted_on=days_ago(1)
    )
    transition.refresh_from_db()
    assert transition.status == TransitionStatus.ADMITTED and transition.to_episode == episode
    assert episode.level == "2.1" and episode.place_name == "Bridge IOP"


def test_admission_before_leaving_is_refused(world):
    transition = stepping_down(world, left=3)
    with pytest.raises(ValidationError):
        services.transition_admit(
            transition=transition,
            by=world.alice,
            version=transition.version,
            admitted_on=days_ago(4),
        )


def test_two_people_editing_a_transition_are_refused_not_merged(world):
    transition = stepping_down(world, left=3)
    stale = transition.version
    services.transition_admit(
        transition=transition, by=world.alice, version=stale, admitted_on=days_ago(1)
    )
    with pytest.raises((VersionConflict, ValidationError)):
        services.transition_cancel(
            transition=transition, by=world.sue, version=stale, reason="Declined"
        )
    transition.refresh_from_db()
    assert transition.status == TransitionStatus.ADMITTED


def test_a_stale_hand_off_step_is_refused(world):
    transition = stepping_down(world)
    item = transition.items.get(kind=HandoffKind.TRANSPORT)
    services.handoff_item_save(
        item=item,
        by=world.alice,
        version=item.version,
        state=HandoffState.DONE,
        owner=world.alice,
        due_on=item.due_on,
        details="Bus pass",
    )
    with pytest.raises(VersionConflict):
        services.handoff_item_save(
            item=item,
            by=world.bob,
            version=item.version,
            state=HandoffState.NOT_NEEDED,
            owner=world.bob,
            due_on=item.due_on,
            details="Drives",
        )
    assert HandoffItem.objects.get(pk=item.pk).details == "Bus pass"


def test_records_go_out_only_through_the_consent_check(world):
    from casebridge.consents.services import DisclosureRefused

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
    assert HandoffItem.objects.get(pk=item.pk).state == HandoffState.OPEN
    with pytest.raises(ValidationError):
        services.handoff_item_save(
            item=item,
            by=world.alice,
            version=item.version,
            state=HandoffState.DONE,
            owner=world.alice,
            due_on=item.due_on,
            details="Faxed",
        )


def test_concluding_the_case_cancels_the_open_transition_and_its_steps(world):
    transition = stepping_down(world)
    client = Client.objects.get(pk=world.client.pk)
    case_move_stage(
        client=client,
        to_stage="conclusion",
        by=world.alice,
        reason="Moved away",
        version=client.version,
    )
    transition.refresh_from_db()
    assert transition.status == TransitionStatus.CANCELLED
    assert not transition.items.filter(state=HandoffState.OPEN).exists()


def test_records_sent_under_a_consent_are_a_recorded_disclosure_and_the_step_is_done(world):
    from tests.factories import ConsentFactory

    ConsentFactory(
        client=world.client,
        recipient_kind="named",
        recipient_name="Bridge IOP",
        purpose="treatment",
        categories=["assessment", "plan"],
    )
    transition = stepping_down(world)
    item = transition.items.get(kind=HandoffKind.RECORDS_SENT)
    done = services.handoff_records_send(
        item=item,
        by=world.alice,
        version=item.version,
        categories=["plan", "assessment"],
        description="Assessment and care plan",
        method="faxed",
    )
    assert done.state == HandoffState.DONE and done.disclosure is not None
    assert done.disclosure.recipient == "Bridge IOP"
    assert done.disclosure.categories == ["assessment", "plan"]


def _sue_owns_the_transport_step(world):
    """A step-down under way whose transport step Sue (the supervisor) owns."""
    transition = stepping_down(world)
    step = transition.items.get(kind=HandoffKind.TRANSPORT)
    services.handoff_item_save(
        item=step,
        by=world.alice,
        version=step.version,
        state=HandoffState.OPEN,
        owner=world.sue,
        due_on=step.due_on,
    )
    return transition


def test_my_day_lists_the_hand_off_steps_of_my_clients_and_those_i_own(client, world):
    _sue_owns_the_transport_step(world)
    client.force_login(world.alice)
    mine = client.get("/my-day/").content.decode()
    assert "Warm hand-offs under way" in mine
    assert mine.count("Transport arranged") == 1 and "Sue Staff" in mine
    client.force_login(world.sue)
    sues = client.get("/my-day/").content.decode()
    assert sues.count("Transport arranged") == 1 and "Records sent" not in sues
    client.force_login(world.bob)
    assert "Transport arranged" not in client.get("/my-day/").content.decode()


def test_a_step_goes_only_to_someone_who_works_with_the_client(world):
    transition = stepping_down(world)
    step = transition.items.get(kind=HandoffKind.TRANSPORT)
    with pytest.raises(ValidationError) as refused:
        services.handoff_item_save(
            item=step,
            by=world.alice,
            version=step.version,
            state=HandoffState.OPEN,
            owner=world.bob,
            due_on=step.due_on,
        )
    assert "does not work with this client" in refused.value.message_dict["owner"][0]


def test_a_step_i_own_leaves_my_day_when_its_client_is_out_of_my_reach(client, world):
    transition = _sue_owns_the_transport_step(world)
    client.force_login(world.sue)
    assert "Transport arranged" in client.get("/my-day/").content.decode()
    Client.objects.filter(pk=transition.client_id).update(program=world.other_program)
    assert "Transport arranged" not in client.get("/my-day/").content.decode()

"""Incentives and sanctions: the court's graduated schedule proposes a response, the judge gives
one at a hearing (never without), the ratio per participant and per court; and the end of a
participation (graduation from the last phase, termination at a hearing, withdrawal)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from casebridge.audit.models import AuditEvent
from casebridge.clients.models import TimelineEntry
from casebridge.court import progress, services
from casebridge.court.models import (
    Behaviour,
    CourtResponse,
    Hearing,
    Participant,
    ScheduledResponse,
)
from tests.monitoring.recovery_helpers import all_negative, record_screen

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


def days_ago(n):
    return today() - timedelta(days=n)


@pytest.fixture
def schedule(court):
    """Two behaviours: steady attendance (a step forward) and a positive test, met with more
    treatment in phase 1 and with sanctions from phase 2."""
    steady = Behaviour.objects.create(court_program=court, name="Steady attendance", positive=True)
    ScheduledResponse.objects.create(
        behaviour=steady, step=1, kind="incentive", description="Praise from the bench"
    )
    ScheduledResponse.objects.create(
        behaviour=steady, step=2, kind="incentive", description="A $10 gift card"
    )
    use = Behaviour.objects.create(court_program=court, name="Positive test")
    ScheduledResponse.objects.create(
        behaviour=use, step=1, kind="service", description="An extra counselling session"
    )
    ScheduledResponse.objects.create(
        behaviour=use, step=1, from_phase=2, kind="sanction", description="Written essay"
    )
    ScheduledResponse.objects.create(
        behaviour=use, step=2, from_phase=2, kind="sanction", description="Community service"
    )
    return {"steady": steady, "use": use}


@pytest.fixture
def participant(world, court):
    return services.participant_enrol(
        client=world.client,
        court_program=court,
        by=world.alice,
        docket_number="CR-1",
        charge_category="possession",
        track="post_plea",
        entered_on=days_ago(100),
    )


def hearing(world, court, day):
    return Hearing.objects.create(court_program=court, held_on=day, created_by=world.alice)


def give(world, participant, hearing_, behaviour, **extra):
    return services.response_record(
        participant=participant, hearing=hearing_, behaviour=behaviour, by=world.alice, **extra
    )


def test_the_schedule_climbs_a_step_each_time_and_the_last_step_repeats(
    world, court, schedule, participant
):
    steady = schedule["steady"]
    h = hearing(world, court, days_ago(10))
    assert progress.response_proposal(participant, steady).description == "Praise from the bench"
    assert give(world, participant, h, steady).description == "Praise from the bench"
    assert progress.response_proposal(participant, steady).description == "A $10 gift card"
    give(world, participant, h, steady)
    assert progress.response_proposal(participant, steady).description == "A $10 gift card"
    assert CourtResponse.objects.filter(followed_schedule=True).count() == 2


def test_use_in_an_early_phase_meets_treatment_and_a_later_phase_a_sanction(
    world, court, schedule, participant
):
    use = schedule["use"]
    assert progress.response_proposal(participant, use).kind == "service"
    services.phase_advance(
        participant=participant,
        hearing=hearing(world, court, days_ago(5)),
        by=world.alice,
        version=participant.version,
        override_reason="Steady in treatment.",
    )
    participant.refresh_from_db()
    proposal = progress.response_proposal(participant, use)
    assert (proposal.kind, proposal.description) == ("sanction", "Written essay")
    proposals = dict(progress.response_proposals(participant))
    assert proposals[use].description == "Written essay"
    assert proposals[schedule["steady"]].description == "Praise from the bench"


def test_a_sanction_without_a_hearing_is_refused(world, court, schedule, participant):
    with pytest.raises(ValidationError) as refused:
        give(world, participant, None, schedule["use"], kind="sanction", description="Jail")
    assert "at a hearing" in str(refused.value)
    assert not CourtResponse.objects.exists()


def test_a_hearing_still_to_come_or_of_another_court_is_refused(
    world, court, schedule, participant
):
    with pytest.raises(ValidationError, match="held today or before"):
        give(
            world, participant, hearing(world, court, today() + timedelta(days=3)), schedule["use"]
        )
    before = hearing(world, court, days_ago(101))
    with pytest.raises(ValidationError, match="before the participant entered"):
        give(world, participant, before, schedule["use"])
    assert not CourtResponse.objects.exists()


def test_a_response_must_fit_the_behaviour(world, court, schedule, participant):
    h = hearing(world, court, days_ago(1))
    with pytest.raises(ValidationError, match="step forward"):
        give(world, participant, h, schedule["steady"], kind="sanction", description="Essay")
    with pytest.raises(ValidationError, match="step back"):
        give(world, participant, h, schedule["use"], kind="incentive", description="Candy")
    with pytest.raises(ValidationError, match="Say what the judge gave"):
        give(world, participant, h, schedule["use"], kind="sanction")
    assert not CourtResponse.objects.exists()


def test_the_judges_own_choice_is_kept_and_marked(world, court, schedule, participant):
    h = hearing(world, court, days_ago(1))
    response = give(
        world,
        participant,
        h,
        schedule["use"],
        kind="sanction",
        description="Two days of community service",
        note="Second positive this month.",
    )
    assert not response.followed_schedule
    assert AuditEvent.objects.filter(
        object_type="court_response", client_id=world.client.pk
    ).exists()
    entry = TimelineEntry.objects.filter(client=world.client, kind="court").latest("pk")
    assert "Sanction at the hearing of" in entry.summary


def test_the_ratio_counts_incentives_against_sanctions(world, court, schedule, participant):
    h = hearing(world, court, days_ago(1))
    assert str(progress.court_ratio(court.pk)) == "none given yet"
    give(world, participant, h, schedule["steady"])
    assert str(progress.ratios([participant.pk])[participant.pk]) == "1 incentive, no sanctions"
    give(world, participant, h, schedule["use"], kind="sanction", description="Essay")
    give(world, participant, h, schedule["use"])  # a service change: not in the ratio
    ratio = progress.ratios([participant.pk])[participant.pk]
    assert (ratio.incentives, ratio.sanctions, str(ratio)) == (1, 1, "1 to 1")
    assert ratio.below_guidance
    for _ in range(7):
        give(world, participant, h, schedule["steady"])
    assert str(progress.court_ratio(court.pk)) == "8 to 1"
    assert not progress.court_ratio(court.pk).below_guidance
    assert str(progress.Ratio(9, 2)) == "4.5 to 1"


def test_the_court_tab_records_a_response_and_refuses_one_without_a_hearing(
    client, world, court, schedule, participant
):
    client.force_login(world.alice)
    url = reverse("court_respond", args=[world.client.pk])
    page = client.get(reverse("court_record", args=[world.client.pk])).content.decode()
    assert "none has been held since the participant entered" in page
    h = hearing(world, court, days_ago(2))
    page = client.get(reverse("court_record", args=[world.client.pk])).content.decode()
    assert "An extra counselling session" in page and "Record the response" in page
    refused = client.post(
        url,
        {
            "response-behaviour": schedule["use"].pk,
            "response-kind": "sanction",
            "response-description": "Essay",
        },
    )
    assert refused.status_code == 400
    assert "choose the hearing" in refused.content.decode()
    assert not CourtResponse.objects.exists()
    saved = client.post(
        url, {"response-hearing": h.pk, "response-behaviour": schedule["steady"].pk}
    )
    assert saved.status_code == 302
    page = client.get(reverse("court_record", args=[world.client.pk])).content.decode()
    assert "Praise from the bench" in page and "1 incentive, no sanctions" in page


def test_graduation_is_from_the_last_phase_and_needs_a_reason_without_the_criteria(
    world, court, participant
):
    h = hearing(world, court, days_ago(1))
    with pytest.raises(ValidationError, match="last phase"):
        services.participation_end(
            participant=participant, status="graduated", hearing=h, by=world.alice, version=1
        )
    services.phase_advance(
        participant=participant, hearing=h, by=world.alice, version=1, override_reason="Ready."
    )
    # Phase 2 asks for 60 days; the participant has been in it for a day.
    with pytest.raises(ValidationError, match="does not meet what graduation asks"):
        services.participation_end(
            participant=participant, status="graduated", hearing=h, by=world.alice, version=2
        )
    assert Participant.objects.get().status == "active"
    services.participation_end(
        participant=participant,
        status="graduated",
        hearing=h,
        by=world.alice,
        version=2,
        reason="The judge graduated them early for a new job out of state.",
    )
    ended = Participant.objects.get()
    assert (ended.status, ended.ended_on, ended.end_hearing) == ("graduated", h.held_on, h)
    assert ended.days_without_use_at_end == 100  # nothing recorded shows use since entry


def test_a_termination_needs_a_hearing_and_a_reason_and_a_withdrawal_only_a_reason(
    world, court, participant
):
    with pytest.raises(ValidationError, match="at a hearing"):
        services.participation_end(
            participant=participant, status="terminated", by=world.alice, version=1, reason="x"
        )
    h = hearing(world, court, days_ago(3))
    with pytest.raises(ValidationError, match="Say why"):
        services.participation_end(
            participant=participant, status="terminated", hearing=h, by=world.alice, version=1
        )
    record_screen(world, collected_on=days_ago(20), results=all_negative(cocaine="positive"))
    services.participation_end(
        participant=participant,
        status="withdrawn",
        by=world.alice,
        version=1,
        reason="Moved to another county.",
    )
    ended = Participant.objects.get()
    assert (ended.status, ended.ended_on, ended.end_hearing) == ("withdrawn", today(), None)
    assert ended.days_without_use_at_end == 20
    assert TimelineEntry.objects.filter(
        client=world.client, kind="court", summary__contains="withdrew"
    ).exists()
    with pytest.raises(ValidationError, match="already ended"):
        services.participation_end(
            participant=ended, status="terminated", hearing=h, by=world.alice, version=2, reason="x"
        )


def test_the_court_tab_ends_a_participation_and_a_stale_form_conflicts(
    client, world, court, participant
):
    client.force_login(world.alice)
    url = reverse("court_end", args=[world.client.pk])
    page = client.get(reverse("court_record", args=[world.client.pk])).content.decode()
    assert "Graduation or ending" in page
    stale = client.post(url, {"end-status": "withdrawn", "end-reason": "Moved.", "end-version": 0})
    assert stale.status_code == 409
    assert Participant.objects.get().status == "active"
    saved = client.post(url, {"end-status": "withdrawn", "end-reason": "Moved.", "end-version": 1})
    assert saved.status_code == 302
    page = client.get(reverse("court_record", args=[world.client.pk])).content.decode()
    assert "Withdrew on" in page and "Moved." in page and "Graduation or ending" not in page

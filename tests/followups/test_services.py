"""Follow-ups after discharge: scheduled when care ends at the program's marks, once; closed as
back in care when the client is admitted again before they are due; attempts and outcomes."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from casebridge.audit.versions import VersionConflict
from casebridge.clients.models import TimelineEntry
from casebridge.followups import queries, services
from casebridge.followups.models import (
    FollowUp,
    FollowUpAttempt,
    FollowUpOutcome,
    FollowUpRules,
    FollowUpStatus,
)
from tests.followups.helpers import days_ago, discharged, end_care, readmit

ANSWERS = {
    "use_since_discharge": "none",
    "housing": "stable",
    "work_or_school": "yes",
    "legal": "none",
    "social_support": "some",
    "in_treatment": "yes",
}


def test_care_ending_schedules_follow_ups_at_30_90_and_180_days(world):
    episode = discharged(world.client, days_ago_left=5)
    follow_ups = list(FollowUp.objects.filter(episode=episode).order_by("day_mark"))
    assert [f.day_mark for f in follow_ups] == [30, 90, 180]
    assert [f.due_on for f in follow_ups] == [
        episode.discharged_on + timedelta(days=d) for d in (30, 90, 180)
    ]
    assert {f.status for f in follow_ups} == {FollowUpStatus.OPEN}
    assert TimelineEntry.objects.filter(client=world.client, kind="follow_up").count() == 1


def test_the_program_sets_its_own_days(world):
    FollowUpRules.objects.create(program=world.program, days=[14, 60])
    episode = discharged(world.client, days_ago_left=1)
    assert sorted(FollowUp.objects.filter(episode=episode).values_list("day_mark", flat=True)) == [
        14,
        60,
    ]


def test_rules_refuse_nonsense_days(world):
    for days in ([], [0], [30, 30], ["30"], [True], list(range(1, 20)), [800], "30"):
        with pytest.raises(ValidationError):
            FollowUpRules(program=world.program, days=days).full_clean()
    rules = FollowUpRules(program=world.program, days=[180, 30])
    rules.full_clean()
    assert rules.days == [30, 180]


def test_a_second_signal_or_a_rerun_makes_no_duplicates(world):
    episode = discharged(world.client, days_ago_left=5)
    end_care(episode)
    assert services.followups_schedule(episode_id=episode.pk) == []
    assert FollowUp.objects.filter(episode=episode).count() == 3
    assert TimelineEntry.objects.filter(client=world.client, kind="follow_up").count() == 1


def test_a_rerun_after_the_program_adds_a_mark_adds_only_that_mark(world):
    episode = discharged(world.client, days_ago_left=5)
    FollowUpRules.objects.create(program=world.program, days=[30, 90, 180, 365])
    made = services.followups_schedule(episode_id=episode.pk)
    assert [f.day_mark for f in made] == [365]
    assert FollowUp.objects.filter(episode=episode).count() == 4


def test_an_open_episode_schedules_nothing(world):
    from tests.followups.helpers import stay

    episode = stay(world.client, admitted_on=days_ago(3))
    assert services.followups_schedule(episode_id=episode.pk) == []


def test_admission_closes_the_follow_ups_not_yet_due_and_keeps_history(world):
    episode = discharged(world.client, days_ago_left=40)  # the 30-day one is already due
    readmit(world.client, admitted_on=timezone.localdate())
    statuses = dict(FollowUp.objects.filter(episode=episode).values_list("day_mark", "status"))
    assert statuses == {
        30: FollowUpStatus.OPEN,
        90: FollowUpStatus.BACK_IN_CARE,
        180: FollowUpStatus.BACK_IN_CARE,
    }
    assert FollowUp.objects.filter(episode=episode).count() == 3


def test_attempts_keep_the_follow_up_open_until_reached(world):
    discharged(world.client, days_ago_left=30)
    follow_up = FollowUp.objects.get(day_mark=30)
    services.attempt_record(
        follow_up=follow_up,
        by=world.alice,
        result="no_answer",
        attempted_at=timezone.now(),
        note="Voicemail",
    )
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.OPEN
    services.attempt_record(
        follow_up=follow_up, by=world.alice, result="reached", attempted_at=timezone.now()
    )
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.REACHED
    assert follow_up.closed_at is not None
    with pytest.raises(ValidationError):
        services.attempt_record(
            follow_up=follow_up, by=world.alice, result="no_answer", attempted_at=timezone.now()
        )
    assert FollowUpAttempt.objects.filter(follow_up=follow_up).count() == 2


def test_declined_closes_the_follow_up(world):
    discharged(world.client, days_ago_left=30)
    follow_up = FollowUp.objects.get(day_mark=30)
    services.attempt_record(
        follow_up=follow_up, by=world.alice, result="declined", attempted_at=timezone.now()
    )
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.DECLINED


@pytest.mark.parametrize(
    ("result", "when", "note", "field"),
    [
        ("maybe", None, "", "result"),
        ("reached", timedelta(days=2), "", "attempted_at"),
        ("reached", -timedelta(days=400), "", "attempted_at"),
        ("reached", None, "x" * 501, "note"),
        ("reached", None, "bad\x00", "note"),
    ],
)
def test_bad_attempts_are_refused_in_plain_words(world, result, when, note, field):
    discharged(world.client, days_ago_left=30)
    follow_up = FollowUp.objects.get(day_mark=30)
    with pytest.raises(ValidationError) as refused:
        services.attempt_record(
            follow_up=follow_up,
            by=world.alice,
            result=result,
            attempted_at=timezone.now() + (when or timedelta()),
            note=note,
        )
    assert field in refused.value.error_dict
    assert not FollowUpAttempt.objects.exists()


def test_attempt_note_edit_is_locked_by_version(world):
    discharged(world.client, days_ago_left=30)
    follow_up = FollowUp.objects.get(day_mark=30)
    attempt = services.attempt_record(
        follow_up=follow_up, by=world.alice, result="no_answer", attempted_at=timezone.now()
    )
    services.attempt_note_edit(attempt=attempt, by=world.alice, version=1, note="Left a message")
    with pytest.raises(VersionConflict) as conflict:
        services.attempt_note_edit(attempt=attempt, by=world.sue, version=1, note="Other")
    assert conflict.value.changes[0].who == "alice"
    attempt.refresh_from_db()
    assert (attempt.note, attempt.version) == ("Left a message", 2)


def _reached(world, days_ago_left=30, mark=30):
    discharged(world.client, days_ago_left=days_ago_left)
    follow_up = FollowUp.objects.get(day_mark=mark)
    services.attempt_record(
        follow_up=follow_up, by=world.alice, result="reached", attempted_at=timezone.now()
    )
    follow_up.refresh_from_db()
    return follow_up


def test_an_outcome_is_recorded_once_reached_and_corrected_under_lock(world):
    discharged(world.client, days_ago_left=30)
    open_one = FollowUp.objects.get(day_mark=30)
    with pytest.raises(ValidationError):
        services.outcome_record(follow_up=open_one, by=world.alice, version=None, answers=ANSWERS)
    services.attempt_record(
        follow_up=open_one, by=world.alice, result="reached", attempted_at=timezone.now()
    )
    outcome = services.outcome_record(
        follow_up=open_one, by=world.alice, version=None, answers=ANSWERS
    )
    assert outcome.housing == "stable"
    services.outcome_record(
        follow_up=open_one, by=world.alice, version=1, answers=ANSWERS | {"housing": "unstable"}
    )
    with pytest.raises(VersionConflict):
        services.outcome_record(follow_up=open_one, by=world.sue, version=1, answers=ANSWERS)
    outcome.refresh_from_db()
    assert (outcome.housing, outcome.version) == ("unstable", 2)
    assert FollowUpOutcome.objects.count() == 1


def test_an_outcome_needs_every_answer(world):
    follow_up = _reached(world)
    with pytest.raises(ValidationError) as refused:
        services.outcome_record(
            follow_up=follow_up,
            by=world.alice,
            version=None,
            answers=ANSWERS | {"housing": "castle", "legal": None},
        )
    assert set(refused.value.error_dict) == {"housing", "legal"}


def test_the_outcome_reports_read_outcomes_per_client_and_mark(world):
    follow_up = _reached(world)
    services.outcome_record(follow_up=follow_up, by=world.alice, version=None, answers=ANSWERS)
    rows = queries.outcomes_for(world.sue)
    assert [(r.client_id, r.day_mark, r.housing, r.use_since_discharge) for r in rows] == [
        (world.client.pk, 30, "stable", "none")
    ]
    assert queries.outcomes_for(world.cody) == []
    assert queries.outcomes_for(world.otto) == []
    assert queries.outcomes_for(world.charlie) == []


def test_the_due_item_provider_lists_open_follow_ups_due_in_one_query(
    world, django_assert_num_queries
):
    discharged(world.client, days_ago_left=28)  # the 30-day one is due in two days
    discharged(world.engagement_client, days_ago_left=5)  # nothing due this week
    with django_assert_num_queries(1):
        found = queries.followups_due([world.client.pk, world.engagement_client.pk])
    assert [(i.label, i.due_on) for i in found[world.client.pk]] == [
        ("Follow-up at 30 days after leaving care", days_ago(28) + timedelta(days=30))
    ]
    assert found[world.engagement_client.pk] == []
    assert found[world.client.pk][0].url_name == "followup_client"


def test_the_due_list_is_the_clients_the_person_may_log_contacts_for(world):
    discharged(world.client, days_ago_left=35)
    assert [f.day_mark for f in queries.due_followups(world.alice)] == [30]
    assert [f.day_mark for f in queries.due_followups(world.sue)] == [30]
    for person in (world.bob, world.cody, world.otto, world.charlie, world.ada):
        assert queries.due_followups(person) == []


def test_the_transitions_services_schedule_and_close_through_their_signals(
    world, django_capture_on_commit_callbacks
):
    from casebridge.transitions.services import episode_admit, episode_discharge

    with django_capture_on_commit_callbacks(execute=True):
        episode = episode_admit(
            client=world.client,
            by=world.alice,
            level="3.5",
            admitted_on=days_ago(60),
            place_name="Hill House",
        )
    with django_capture_on_commit_callbacks(execute=True):
        episode_discharge(
            episode=episode,
            by=world.alice,
            version=episode.version,
            discharged_on=days_ago(40),
            discharge_type="completed",
            reason="Finished the program",
        )
    assert sorted(FollowUp.objects.filter(episode=episode).values_list("day_mark", flat=True)) == [
        30,
        90,
        180,
    ]
    with django_capture_on_commit_callbacks(execute=True):
        episode_admit(
            client=world.client,
            by=world.alice,
            level="wm",
            admitted_on=days_ago(1),
            place_name="Detox unit",
        )
    assert dict(FollowUp.objects.filter(episode=episode).values_list("day_mark", "status")) == {
        30: FollowUpStatus.OPEN,
        90: FollowUpStatus.BACK_IN_CARE,
        180: FollowUpStatus.BACK_IN_CARE,
    }

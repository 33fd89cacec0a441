"""Each alert rule finds what it says, at its boundaries, with the program's numbers; and an
alert whose facts stop being true resolves itself and says why."""

from datetime import timedelta

import pytest
from django.utils import timezone

from casebridge.alerts.models import Alert, AlertRule, AlertState
from casebridge.alerts.services import alert_resolve, evaluate_clients
from casebridge.assessments.services import instrument_record
from casebridge.clients.models import Client
from casebridge.clients.services import flag_raise
from casebridge.monitoring.services.appointments import appointment_schedule, appointment_set_status
from tests.alerts.helpers import alerts_of, check_in, later, live
from tests.monitoring.recovery_helpers import days_ago, prescribe, record_screen

pytestmark = pytest.mark.django_db


# Check-ins: missed, craving, use


@pytest.mark.parametrize(
    ("days_since", "expected"),
    # A check-in is expected 7 days after the last one, with 2 days' grace: day 9 is still
    # inside it, day 10 is late.
    [(8, 0), (9, 0), (10, 1)],
)
def test_a_missed_check_in_is_one_past_the_grace_days(world, days_since, expected):
    check_in(world, days_ago=days_since)
    found = alerts_of(world, "missed_check_in")
    assert len(found) == expected
    if expected:
        assert found[0].title.startswith("No check-in since")
        assert found[0].needs_action == "check_in"


def test_a_client_who_never_checked_in_is_not_missing_one(world):
    assert alerts_of(world, "missed_check_in", now=later(days=60)) == []


def test_the_missed_check_in_resolves_itself_when_the_client_checks_in(world):
    check_in(world, days_ago=12)
    (alert,) = alerts_of(world, "missed_check_in")
    check_in(world)
    alert.refresh_from_db()
    evaluate_clients([world.client.pk])
    alert.refresh_from_db()
    assert alert.state == AlertState.RESOLVED
    assert alert.resolved_automatically
    assert alert.resolution_note == "The client checked in."


def test_the_programs_numbers_change_when_a_check_in_is_late(world):
    AlertRule.objects.create(
        program=world.program,
        kind="missed_check_in",
        thresholds={"every_days": 3, "grace_days": 0},
    )
    check_in(world, days_ago=4)
    assert len(alerts_of(world, "missed_check_in")) == 1


def test_a_rule_the_program_turned_off_finds_nothing_and_ends_its_alerts(world):
    check_in(world, days_ago=12)
    (alert,) = alerts_of(world, "missed_check_in")
    AlertRule.objects.create(program=world.program, kind="missed_check_in", enabled=False)
    evaluate_clients([world.client.pk])
    alert.refresh_from_db()
    assert alert.state == AlertState.RESOLVED
    assert alert.resolution_note == "The program turned this rule off."


@pytest.mark.parametrize(("level", "expected"), [(6, 0), (7, 1), (10, 1)])
def test_craving_at_or_above_the_level_is_an_alert(world, level, expected):
    check_in(world, craving=level)
    found = alerts_of(world, "craving")
    assert len(found) == expected
    if expected:
        assert f"Craving {level} of 10" in found[0].title


def test_craving_rising_at_each_of_the_last_three_check_ins_is_an_alert(world):
    check_in(world, craving=1, days_ago=6)
    check_in(world, craving=2, days_ago=4)
    assert alerts_of(world, "craving") == []  # two rising are not three
    check_in(world, craving=4, days_ago=2)
    (alert,) = alerts_of(world, "craving")
    assert alert.title == "Craving rising over 3 check-ins: 1, 2, 4"
    assert len(alert.facts) == 3


def test_craving_that_levels_off_is_no_alert_and_the_rising_one_resolves_itself(world):
    check_in(world, craving=1, days_ago=6)
    check_in(world, craving=2, days_ago=4)
    check_in(world, craving=4, days_ago=2)
    (alert,) = alerts_of(world, "craving")
    check_in(world, craving=4)
    assert live(alerts_of(world, "craving")) == []
    alert.refresh_from_db()
    assert alert.resolution_note.startswith("Craving is no longer rising")


def test_each_check_in_reporting_use_is_its_own_alert(world):
    check_in(world, used_since_last=True, use_detail="Two beers", days_ago=3)
    check_in(world, used_since_last=True, use_detail="Beer", days_ago=1)
    check_in(world, used_since_last=False)
    found = alerts_of(world, "reported_use")
    assert len(found) == 2
    assert all(a.title.startswith("Said they used") for a in found)
    assert all("beer" not in a.title.lower() for a in found)  # the detail stays on the record


def test_a_use_alert_older_than_the_window_is_history_not_resolved(world):
    check_in(world, used_since_last=True, use_detail="Beer", days_ago=3)
    (alert,) = alerts_of(world, "reported_use")
    assert alerts_of(world, "reported_use", now=later(days=30))[0].state == AlertState.OPEN
    alert.refresh_from_db()
    assert alert.state == AlertState.OPEN


# Screens, instruments, safety


@pytest.mark.parametrize(
    ("overrides", "words"),
    [
        (
            {
                "results": {
                    "amphetamines": "negative",
                    "cocaine": "positive",
                    "cannabis": "negative",
                    "opiates": "negative",
                    "pcp": "negative",
                }
            },
            "unexpected positive",
        ),
        (
            {
                "status": "refused",
                "specimen": "",
                "method": "",
                "panel": "",
                "results": {},
                "observed": False,
            },
            "refused",
        ),
        (
            {
                "status": "missed",
                "specimen": "",
                "method": "",
                "panel": "",
                "results": {},
                "observed": False,
            },
            "missed",
        ),
    ],
)
def test_a_positive_refused_or_missed_screen_is_an_alert(world, overrides, words):
    record_screen(world, **overrides)
    (alert,) = alerts_of(world, "screen")
    assert alert.title.endswith(words)
    assert alert.needs_action == "read_clinical"


def test_a_negative_screen_is_no_alert(world):
    record_screen(world)
    assert alerts_of(world, "screen") == []


def _phq9_total(total):
    answers, remaining = {}, total
    for item in range(1, 10):
        answers[str(item)] = min(3, remaining)
        remaining -= answers[str(item)]
    return answers


@pytest.mark.parametrize(("first", "then", "expected"), [(6, 10, 0), (6, 11, 1), (12, 8, 0)])
def test_a_phq9_worse_by_five_or_more_is_an_alert(world, first, then, expected):
    for total in (first, then):
        instrument_record(
            client=world.client, by=world.alice, code="phq9", answers=_phq9_total(total)
        )
    found = alerts_of(world, "mood_worse")
    assert len(found) == expected
    if expected:
        assert found[0].title == f"PHQ-9 (depression) {then}, up {then - first} from {first}"


BAM_ITEMS = ["1", "2", "3", "4", "5", "6", *(f"7{c}" for c in "abcdefg"), *map(str, range(8, 18))]


def _bam(risk_items_value):
    answers = dict.fromkeys(BAM_ITEMS, 0)
    for item in ("1", "2", "3", "8", "11", "15"):
        answers[item] = risk_items_value
    return answers


def test_a_bam_risk_score_at_its_cut_off_is_an_alert(world):
    instrument_record(client=world.client, by=world.alice, code="bam", answers=_bam(1))
    assert alerts_of(world, "bam_risk") == []  # risk 6
    instrument_record(client=world.client, by=world.alice, code="bam", answers=_bam(2))
    (alert,) = alerts_of(world, "bam_risk")
    assert "risk score 12 of 24" in alert.title


@pytest.mark.parametrize(("hours", "expected"), [(23, 0), (25, 1)])
def test_a_safety_concern_open_a_day_without_follow_up_is_urgent(world, hours, expected):
    flag_raise(client=world.client, by=world.alice, kind="safety", note="PHQ-9 item 9")
    found = alerts_of(world, "safety_follow_up", now=later(hours=hours))
    assert len(found) == expected
    if expected:
        assert found[0].priority == 1


# Contacts, plans, appointments, medication


def test_a_contact_overdue_for_the_model_is_an_alert_and_ends_when_a_contact_is_made(world):
    client = Client.objects.get(pk=world.client.pk)
    assert client.next_contact_due_at is not None
    due_on = timezone.localdate(client.next_contact_due_at)
    days = (due_on - timezone.localdate()).days
    assert alerts_of(world, "contact_overdue", now=later(days=days)) == []
    (alert,) = alerts_of(world, "contact_overdue", now=later(days=days + 1))
    assert alert.key == f"due-{due_on.isoformat()}"
    Client.objects.filter(pk=client.pk).update(last_contact_at=later(days=days + 1))
    assert live(alerts_of(world, "contact_overdue", now=later(days=days + 1))) == []


def test_a_missed_appointment_not_followed_up_is_an_alert_court_is_urgent(world):
    start = timezone.now() - timedelta(days=2)
    series = appointment_schedule(
        client=world.client,
        by=world.alice,
        kind="court",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        place="Courtroom 3",
    )
    appointment = series.appointments.get()
    appointment_set_status(
        appointment=appointment, by=world.alice, to_status="missed", version=appointment.version
    )
    (alert,) = alerts_of(world, "missed_court")
    assert alert.priority == 1 and alert.title.startswith("Missed: court hearing on")


def test_a_court_date_within_three_days_is_an_alert_until_it_passes(world):
    start = timezone.now() + timedelta(days=2)
    appointment_schedule(
        client=world.client,
        by=world.alice,
        kind="court",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
    )
    (alert,) = alerts_of(world, "court_soon")
    assert alert.title.startswith("Court hearing ")
    alerts_of(world, "court_soon", now=later(days=3))
    alert.refresh_from_db()
    assert alert.state == AlertState.RESOLVED


def test_a_moud_prescription_running_out_with_no_next_one_is_an_alert(world):
    prescribe(world, started_on=days_ago(28), ends_on=days_ago(28) + timedelta(days=29))
    (alert,) = alerts_of(world, "moud_gap")
    assert alert.needs_action == "read_clinical"
    assert "no next one recorded" in alert.title


# Resolution by a person, conclusion


def test_a_finding_a_person_resolved_does_not_come_back(world):
    check_in(world, used_since_last=True, use_detail="Beer", days_ago=1)
    (alert,) = alerts_of(world, "reported_use")
    alert_resolve(alert=alert, by=world.alice, note="Talked it through", version=alert.version)
    assert len(alerts_of(world, "reported_use")) == 1
    assert Alert.objects.get(pk=alert.pk).state == AlertState.RESOLVED


def test_concluding_the_case_resolves_its_rule_alerts(world):
    check_in(world, used_since_last=True, use_detail="Beer", days_ago=1)
    (alert,) = alerts_of(world, "reported_use")
    Client.objects.filter(pk=world.client.pk).update(stage="conclusion")
    evaluate_clients([world.client.pk])
    alert.refresh_from_db()
    assert alert.state == AlertState.RESOLVED
    assert alert.resolution_note == "The case was concluded."


def test_evaluating_twice_makes_nothing_twice(world):
    check_in(world, craving=9, used_since_last=True, use_detail="x", days_ago=12)
    first = evaluate_clients([world.client.pk])
    again = evaluate_clients([world.client.pk])
    assert first.opened >= 3 and again.opened == 0 and again.resolved == 0
    keys = list(Alert.objects.values_list("client_id", "kind", "key"))
    assert len(keys) == len(set(keys))


# Gap in care: left one level of care, not admitted at the next


@pytest.mark.parametrize(("days_since", "expected"), [(6, 0), (7, 0), (8, 1)])
def test_a_gap_in_care_is_raised_on_the_day_after_the_programs_days(world, days_since, expected):
    from tests.transitions.helpers import stepping_down

    stepping_down(world, left=days_since)
    found = alerts_of(world, "gap_in_care")
    assert len(found) == expected
    if expected:
        (alert,) = found
        assert alert.title == "Gap in care: not admitted at Bridge IOP 7 days after leaving"
        assert alert.priority == 2 and not alert.for_supervisor
        assert alert.act_url_name == "care_levels" and alert.needs_action == "read_clinical"
        assert "8 days without an admission at Bridge IOP" in alert.facts[0]


@pytest.mark.parametrize(
    ("days_since", "escalations"),
    [(14, []), (15, ["14"]), (30, ["14"]), (31, ["14", "30"])],
)
def test_a_long_gap_goes_to_the_supervisors_after_14_and_30_days(world, days_since, escalations):
    from tests.transitions.helpers import stepping_down

    transition = stepping_down(world, left=days_since, since=60)
    found = alerts_of(world, "gap_in_care")
    raised = sorted(a.key.rsplit("-", 1)[1] for a in found if a.for_supervisor)
    assert raised == escalations
    assert {a.key for a in found if not a.for_supervisor} == {f"transition-{transition.pk}"}
    assert all(a.priority == 1 for a in found if a.for_supervisor)


def test_the_programs_days_move_the_gap(world):
    from tests.transitions.helpers import stepping_down

    AlertRule.objects.create(
        program=world.program,
        kind="gap_in_care",
        thresholds={"within_days": 3, "supervisor_days": 5, "second_supervisor_days": 9},
    )
    stepping_down(world, left=6)
    found = alerts_of(world, "gap_in_care")
    assert len(found) == 2 and sum(a.for_supervisor for a in found) == 1


def test_the_gap_in_care_ends_when_the_client_is_admitted(world):
    from casebridge.transitions.services import transition_admit
    from tests.transitions.helpers import days_ago as ago
    from tests.transitions.helpers import stepping_down

    transition = stepping_down(world, left=20)
    assert len(live(alerts_of(world, "gap_in_care"))) == 2
    transition_admit(
        transition=transition, by=world.alice, version=transition.version, admitted_on=ago(0)
    )
    found = alerts_of(world, "gap_in_care")
    assert live(found) == []
    assert {a.resolution_note for a in found} == {
        "The client was admitted at the next level, or the move was cancelled."
    }


def test_an_admission_within_the_days_raises_nothing(world):
    from casebridge.transitions.services import transition_admit
    from tests.transitions.helpers import days_ago as ago
    from tests.transitions.helpers import stepping_down

    transition = stepping_down(world, left=7)
    transition_admit(
        transition=transition, by=world.alice, version=transition.version, admitted_on=ago(0)
    )
    assert alerts_of(world, "gap_in_care") == []


def test_concluding_the_case_resolves_its_concerns_too(world):
    from casebridge.alerts.services import concern_raise

    concern = concern_raise(client=world.client, by=world.cody, text="Sounded low")
    Client.objects.filter(pk=world.client.pk).update(stage="conclusion")
    evaluate_clients([world.client.pk])
    concern.refresh_from_db()
    assert (
        concern.state == AlertState.RESOLVED
        and concern.resolution_note == "The case was concluded."
    )


def test_the_gaps_escalation_days_must_come_one_after_another():
    from casebridge.alerts.rules import threshold_problems

    assert threshold_problems("gap_in_care", {"within_days": 7, "supervisor_days": 14}) == []
    (problem,) = threshold_problems("gap_in_care", {"within_days": 10, "supervisor_days": 8})
    assert "bigger than the one before" in problem

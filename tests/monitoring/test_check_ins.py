"""Check-ins and coaching sessions as the services keep them."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casebridge.audit.models import AuditEvent
from casebridge.clients.models import TimelineEntry
from casebridge.monitoring import services
from tests.dates import resolved_all, tomorrow


def check_in(world, by=None, **overrides):
    fields = {
        "mood": 6,
        "craving": 3,
        "used_since_last": False,
        "use_detail": "",
        "meetings_since_last": 2,
        "sleep": "some_trouble",
        "stressors": "Rent is due",
        "needs_help_with": "A ride to Tuesday's appointment",
    }
    fields.update(overrides)
    return services.check_in_record(client=world.client, by=by or world.cody, **fields)


def test_a_coach_records_a_check_in_the_team_can_follow(world):
    recorded = check_in(world)
    assert (recorded.mood, recorded.craving, recorded.source) == (6, 3, "staff")
    assert recorded.recorded_by == world.cody
    entry = TimelineEntry.objects.get(client=world.client, kind="check_in")
    assert entry.needs_action == "check_in"
    assert "mood 6" in entry.summary and "craving 3" in entry.summary
    assert "ride" not in entry.summary + entry.detail  # what they need help with stays on the tab
    assert AuditEvent.objects.filter(
        object_type="check_in", object_id=str(recorded.pk), action="create"
    ).exists()


def test_use_since_the_last_check_in_needs_what_and_how_much(world):
    with pytest.raises(ValidationError) as raised:
        check_in(world, used_since_last=True, use_detail="")
    assert "What was used" in " ".join(raised.value.message_dict["use_detail"])
    recorded = check_in(world, used_since_last=True, use_detail="Two beers on Saturday")
    assert recorded.use_detail == "Two beers on Saturday"
    assert "use reported" in TimelineEntry.objects.filter(kind="check_in").first().summary


def test_what_was_used_is_refused_when_no_use_is_reported(world):
    with pytest.raises(ValidationError) as raised:
        check_in(world, used_since_last=False, use_detail="Two beers")
    assert "use_detail" in raised.value.message_dict


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("mood", -1),
        ("mood", 11),
        ("craving", 11),
        ("meetings_since_last", -1),
        ("meetings_since_last", 100),
        ("sleep", "never"),
    ],
)
def test_answers_outside_their_scale_are_refused(world, field, value):
    with pytest.raises(ValidationError) as raised:
        check_in(world, **{field: value})
    assert field in raised.value.message_dict


def test_a_clients_own_check_in_has_no_staff_recorder(world):
    recorded = services.check_in_record(
        client=world.client,
        by=None,
        source="client",
        mood=8,
        craving=1,
        used_since_last=False,
        sleep="well",
    )
    assert (recorded.source, recorded.recorded_by) == ("client", None)
    entry = TimelineEntry.objects.get(client=world.client, kind="check_in")
    assert entry.summary.startswith("Check-in by the client")


def test_a_staff_check_in_needs_the_person_who_entered_it(world):
    with pytest.raises(ValueError, match="who entered"):
        services.check_in_record(
            client=world.client, by=None, mood=5, craving=5, used_since_last=False, sleep="well"
        )


def session(world, by=None, **overrides):
    fields = {
        "session_on": timezone.localdate(),
        "kind": "phone",
        "duration_minutes": 30,
        "topics": ["triggers", "meetings"],
        "next_step": "Go to the Thursday night meeting together",
    }
    fields.update(overrides)
    return services.coaching_session_record(client=world.client, by=by or world.cody, **fields)


def test_a_coach_records_a_coaching_session_the_whole_team_sees(world):
    recorded = session(world)
    assert recorded.topics == ["triggers", "meetings"]
    entry = TimelineEntry.objects.get(client=world.client, kind="coaching")
    assert entry.needs_action == "view"
    assert "Phone" in entry.summary and "30 minutes" in entry.summary
    assert entry.detail == "Next step: Go to the Thursday night meeting together"
    assert AuditEvent.objects.filter(object_type="coaching_session", action="create").exists()


def test_a_case_manager_records_a_coaching_session_too(world):
    assert session(world, by=world.alice).recorded_by == world.alice


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"topics": []}, "topics"),
        ({"topics": ["astrology"]}, "topics"),
        ({"kind": "carrier_pigeon"}, "kind"),
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"duration_minutes": 721}, "duration_minutes"),
        ({"session_on": tomorrow}, "session_on"),
    ],
)
def test_a_coaching_session_refuses_bad_input_beside_the_field(world, overrides, field):
    with pytest.raises(ValidationError) as raised:
        session(world, **resolved_all(overrides))
    assert field in raised.value.message_dict


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mood=st.integers(-50, 50), craving=st.integers(-50, 50))
def test_any_scale_answer_is_kept_exactly_when_it_is_0_to_10(world, mood, craving):
    valid = 0 <= mood <= 10 and 0 <= craving <= 10
    try:
        recorded = check_in(world, mood=mood, craving=craving)
    except ValidationError as refused:
        assert not valid
        wrong = {
            field for field, value in (("mood", mood), ("craving", craving)) if not 0 <= value <= 10
        }
        assert set(refused.message_dict) == wrong
    else:
        assert valid and (recorded.mood, recorded.craving) == (mood, craving)

"""Safety plan versions and signatures, the roster's rules and after-hours contacts, without
HTTP."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from casebridge.audit.models import AuditEvent
from casebridge.audit.versions import VersionConflict
from casebridge.safety import services
from casebridge.safety.models import CRISIS_LINE_988, SafetyPlan
from casebridge.safety.statuses import ALLOWED_MOVES, SafetyPlanStatus, may_move
from tests.factories import ClientFactory
from tests.safety.helpers import FILLED, filled_draft, plan_in_effect, shift_now, sign_both


def test_a_first_draft_starts_with_the_988_line(world):
    plan = services.safety_plan_start(client=world.client, by=world.alice)
    assert plan.sequence == 1 and plan.status == SafetyPlanStatus.DRAFT
    assert plan.lines("professionals") == [CRISIS_LINE_988]
    assert world.client.timeline.filter(kind="safety_plan").exists()


def test_only_one_draft_at_a_time(world):
    services.safety_plan_start(client=world.client, by=world.alice)
    with pytest.raises(ValidationError, match="already a draft"):
        services.safety_plan_start(client=world.client, by=world.alice)


def test_saving_keeps_one_item_a_line_and_moves_the_version(world):
    plan = services.safety_plan_start(client=world.client, by=world.alice)
    saved = services.safety_plan_save(
        plan=plan,
        by=world.alice,
        version=plan.version,
        sections={"warning_signs": "  Not sleeping \n\n Skipping meetings  "},
    )
    assert saved.warning_signs == "Not sleeping\nSkipping meetings"
    assert saved.version == plan.version + 1
    event = AuditEvent.objects.filter(object_type="safety_plan", action="update").first()
    assert event.changes["version"] == [1, 2]


def test_a_save_over_someone_elses_is_refused_and_names_them(world):
    plan = services.safety_plan_start(client=world.client, by=world.alice)
    services.safety_plan_save(
        plan=plan, by=world.sue, version=plan.version, sections={"coping_steps": "Walk"}
    )
    with pytest.raises(VersionConflict) as refused:
        services.safety_plan_save(
            plan=plan, by=world.alice, version=plan.version, sections={"coping_steps": "Run"}
        )
    assert refused.value.changes and refused.value.changes[0].who == "sue"
    plan.refresh_from_db()
    assert plan.coping_steps == "Walk"


@pytest.mark.parametrize(
    "text, problem",
    [
        ("x" * 201, "each line under 200"),
        ("\n".join(f"line {n}" for n in range(21)), "20 lines or fewer"),
        ("bad\x00text", "hidden characters"),
        ("y" * 2001, "under 2000"),
    ],
)
def test_sections_refuse_what_will_not_print(world, text, problem):
    plan = services.safety_plan_start(client=world.client, by=world.alice)
    with pytest.raises(ValidationError) as refused:
        services.safety_plan_save(
            plan=plan, by=world.alice, version=plan.version, sections={"warning_signs": text}
        )
    assert problem in " ".join(refused.value.message_dict["warning_signs"])


def test_an_unfinished_draft_cannot_be_signed(world):
    plan = services.safety_plan_start(client=world.client, by=world.alice)
    with pytest.raises(ValidationError, match="Warning signs"):
        services.safety_plan_sign(plan=plan, by=world.alice, version=plan.version, role="staff")


def test_the_first_signature_fixes_the_text_and_the_second_puts_it_in_effect(world):
    plan = filled_draft(world)
    services.safety_plan_sign(plan=plan, by=world.alice, version=plan.version, role="staff")
    plan.refresh_from_db()
    assert plan.locked_at is not None and plan.status == SafetyPlanStatus.DRAFT
    with pytest.raises(services.SafetyPlanLocked):
        services.safety_plan_save(
            plan=plan, by=world.alice, version=plan.version, sections={"coping_steps": "Other"}
        )
    with pytest.raises(ValidationError, match="already recorded"):
        services.safety_plan_sign(plan=plan, by=world.alice, version=plan.version, role="staff")
    services.safety_plan_sign(
        plan=plan,
        by=world.alice,
        version=plan.version,
        role="client",
        method="verbal",
        witness_name="Sue",
    )
    plan.refresh_from_db()
    assert plan.status == SafetyPlanStatus.ACTIVE and plan.activated_at is not None


def test_a_verbal_agreement_needs_a_witness(world):
    plan = filled_draft(world)
    with pytest.raises(ValidationError) as refused:
        services.safety_plan_sign(
            plan=plan, by=world.alice, version=plan.version, role="client", method="verbal"
        )
    assert "witness_name" in refused.value.message_dict


def test_a_new_version_copies_the_one_in_effect_and_replaces_it_when_signed(world):
    first = plan_in_effect(world)
    second = services.safety_plan_start(client=world.client, by=world.alice)
    assert second.sequence == 2 and second.previous == first
    assert all(getattr(second, name) == getattr(first, name) for name in FILLED)
    second = services.safety_plan_save(
        plan=second,
        by=world.alice,
        version=second.version,
        sections={"reasons_for_living": "My daughter\nMy garden"},
    )
    sign_both(second, world)
    first.refresh_from_db()
    assert first.status == SafetyPlanStatus.REPLACED and first.replaced_at is not None
    assert SafetyPlan.objects.get(client=world.client, status="active").sequence == 2


def test_the_status_table_lets_no_replaced_plan_move():
    assert ALLOWED_MOVES[SafetyPlanStatus.REPLACED] == frozenset()
    for from_status in SafetyPlanStatus.values:
        for to_status in SafetyPlanStatus.values:
            expected = (from_status, to_status) in {("draft", "active"), ("active", "replaced")}
            assert may_move(from_status, to_status) is expected


# --- The roster ---------------------------------------------------------------------------------


def test_shifts_of_one_program_cannot_overlap(world):
    shift_now(world)
    now = timezone.now()
    with pytest.raises(ValidationError) as refused:
        services.shift_add(
            program=world.program,
            user=world.alice,
            starts_at=now + timedelta(hours=2),
            ends_at=now + timedelta(hours=20),
            by=world.sue,
        )
    assert "Bob" in refused.value.message_dict["starts_at"][0]
    # Back to back is not an overlap.
    bob_shift = world.bob.on_call_shifts.get()
    services.shift_add(
        program=world.program,
        user=world.alice,
        starts_at=bob_shift.ends_at,
        ends_at=bob_shift.ends_at + timedelta(hours=12),
        by=world.sue,
    )


def test_a_backwards_or_endless_shift_is_refused(world):
    now = timezone.now()
    with pytest.raises(ValidationError) as refused:
        services.shift_add(
            program=world.program, user=world.bob, starts_at=now, ends_at=now, by=world.sue
        )
    assert "ends before it starts" in refused.value.message_dict["ends_at"][0]
    with pytest.raises(ValidationError, match="at most 7 days"):
        services.shift_add(
            program=world.program,
            user=world.bob,
            starts_at=now,
            ends_at=now + timedelta(days=8),
            by=world.sue,
        )


@pytest.mark.parametrize("person", ["cody", "ivy", "otto", "charlie", "ada"])
def test_only_the_programs_case_managers_and_supervisors_go_on_call(world, person):
    now = timezone.now()
    with pytest.raises(ValidationError) as refused:
        services.shift_add(
            program=world.program,
            user=getattr(world, person),
            starts_at=now,
            ends_at=now + timedelta(hours=8),
            by=world.sue,
        )
    assert "user" in refused.value.message_dict


def test_a_started_shift_stays_on_the_roster(world):
    shift = shift_now(world)
    with pytest.raises(ValidationError, match="already started"):
        services.shift_remove(shift=shift, by=world.sue)
    now = timezone.now()
    later = services.shift_add(
        program=world.program,
        user=world.alice,
        starts_at=now + timedelta(days=1),
        ends_at=now + timedelta(days=1, hours=8),
        by=world.sue,
    )
    services.shift_remove(shift=later, by=world.sue)
    assert not world.alice.on_call_shifts.exists()


# --- After-hours contacts -----------------------------------------------------------------------


def _log(world, **overrides):
    values = {
        "program": world.program,
        "by": world.bob,
        "at": timezone.now() - timedelta(minutes=10),
        "caller": "the client",
        "what_happened": "Craving after a fight at home",
        "what_was_done": "Went through the safety plan; called sister",
        "follow_up_needed": True,
        "client": world.client,
    }
    return services.after_hours_record(**(values | overrides))


def test_the_on_call_worker_logs_a_call_and_the_case_manager_sees_it(world):
    shift_now(world)
    contact = _log(world)
    entry = world.client.timeline.get(kind="after_hours")
    assert entry.needs_action == "read_clinical" and "follow-up needed" in entry.summary
    assert "fight" not in entry.summary  # what happened stays in the log, not the timeline
    assert AuditEvent.objects.filter(
        object_type="after_hours_contact", object_id=str(contact.pk)
    ).exists()


def test_a_call_outside_ones_shift_or_about_another_programs_client_is_refused(world):
    with pytest.raises(ValidationError) as refused:
        _log(world)
    assert "not on call" in refused.value.message_dict["at"][0]
    shift_now(world)
    stranger = ClientFactory(program=world.other_program, registered_by=world.ivy)
    with pytest.raises(ValidationError) as refused:
        _log(world, client=stranger)
    assert "client" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        _log(world, caller="", what_happened="x\x00")
    assert {"caller", "what_happened"} <= set(refused.value.message_dict)
    with pytest.raises(ValidationError, match="future"):
        _log(world, at=timezone.now() + timedelta(hours=2))


def test_a_supervisor_of_the_program_may_log_without_a_shift(world):
    assert _log(world, by=world.sue).taken_by == world.sue

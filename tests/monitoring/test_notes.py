"""Contact notes as the services keep them: drafts are the writer's, signing locks, a signed note
is never edited (addenda instead), late entries are marked, co-signature waits for a supervisor,
two edits of one draft are never merged, and bad input is refused in plain words."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from casebridge.audit.models import AuditEvent
from casebridge.audit.versions import VersionConflict
from casebridge.clients.models import TimelineEntry
from casebridge.monitoring import services
from casebridge.monitoring.models import ContactNoteRules
from casebridge.plans.services import plan_revise
from tests.factories import ClientFactory
from tests.monitoring.helpers import dap, days_ago, note_fields, write_note


def _errors(raised):
    return {field: " ".join(messages) for field, messages in raised.value.message_dict.items()}


# Drafts


def test_a_draft_is_saved_unsigned_and_is_not_yet_a_contact(world):
    note = write_note(world.client, world.alice)
    assert note.status == "draft" and note.signed_at is None
    assert note.note_format == "dap" and note.sections["data"].startswith("Met at the library")
    world.client.refresh_from_db()
    assert world.client.last_contact_at is None
    assert not TimelineEntry.objects.filter(client=world.client, kind="contact").exists()


def test_a_draft_may_leave_parts_of_the_note_empty(world):
    note = write_note(world.client, world.alice, sections={"data": "Brief call.", "plan": ""})
    assert note.sections == {"data": "Brief call.", "assessment": "", "plan": ""}


def test_the_writer_changes_their_draft_and_its_version_moves(world):
    note = write_note(world.client, world.alice)
    saved = services.note_save(
        client=world.client,
        by=world.alice,
        note=note,
        version=note.version,
        **note_fields(duration_minutes=60, sections=dap(assessment="Tired but hopeful.")),
    )
    assert (saved.version, saved.duration_minutes) == (2, 60)
    assert saved.sections["assessment"] == "Tired but hopeful."


def test_nobody_but_the_writer_changes_a_draft(world):
    note = write_note(world.client, world.alice)
    with pytest.raises(ValidationError, match="Only the person who wrote"):
        services.note_save(
            client=world.client, by=world.sue, note=note, version=note.version, **note_fields()
        )


def test_two_edits_of_one_draft_are_never_merged(world):
    note = write_note(world.client, world.alice)
    opened = note.version
    services.note_save(
        client=world.client,
        by=world.alice,
        note=note,
        version=opened,
        **note_fields(place="Clinic lobby"),
    )
    with pytest.raises(VersionConflict) as raised:
        services.note_save(
            client=world.client,
            by=world.alice,
            note=note,
            version=opened,
            **note_fields(place="Coffee shop"),
        )
    note.refresh_from_db()
    assert note.place == "Clinic lobby"
    changed = raised.value.changes[0].fields
    assert changed["place"] == ["Public library", "Clinic lobby"]


# Signing and locking


def test_signing_locks_the_note_and_tells_the_timeline_without_its_content(world):
    note = write_note(world.client, world.alice, contact_type="phone", duration_minutes=20)
    signed = services.note_save(
        client=world.client,
        by=world.alice,
        note=note,
        version=note.version,
        sign=True,
        **note_fields(contact_type="phone", duration_minutes=20),
    )
    assert signed.status == "signed" and signed.signed_at is not None and signed.is_locked
    entry = TimelineEntry.objects.get(client=world.client, kind="contact")
    assert entry.needs_action == "view" and entry.actor == world.alice
    assert "Phone call" in entry.summary and "20 minutes" in entry.summary
    assert "library" not in entry.summary + entry.detail  # no place, no note text
    assert "Motivated" not in entry.summary + entry.detail


def test_a_signed_note_is_never_edited(world):
    note = write_note(world.client, world.alice, sign=True)
    with pytest.raises(services.NoteLocked):
        services.note_save(
            client=world.client,
            by=world.alice,
            note=note,
            version=note.version,
            **note_fields(place="Somewhere else"),
        )
    note.refresh_from_db()
    assert note.place == "Public library"


def test_signing_needs_every_part_of_the_note_each_refused_beside_its_field(world):
    with pytest.raises(ValidationError) as raised:
        write_note(world.client, world.alice, sign=True, sections={"data": "Call.", "plan": " "})
    errors = _errors(raised)
    assert set(errors) == {"section_assessment", "section_plan"}
    assert "Assessment: what it means" in errors["section_assessment"]


def test_the_note_follows_the_programs_format(world):
    ContactNoteRules.objects.create(program=world.program, note_format="soap")
    sections = {"subjective": "s", "objective": "o", "assessment": "a", "plan": "p"}
    note = write_note(world.client, world.alice, sign=True, sections=sections)
    assert note.note_format == "soap" and note.sections == sections


def test_a_part_the_format_does_not_have_is_refused(world):
    with pytest.raises(ValidationError, match="not part of"):
        write_note(world.client, world.alice, sections=dap() | {"behaviour": "x"})


def test_an_addendum_keeps_who_and_when_and_the_note_stays_as_signed(world):
    note = write_note(world.client, world.alice, sign=True)
    addendum = services.note_addendum_add(
        note=note, by=world.sue, text="Landlord call moved to Monday."
    )
    assert addendum.written_by == world.sue and addendum.written_at is not None
    note.refresh_from_db()
    assert note.sections == dap()
    assert list(note.addenda.all()) == [addendum]


def test_a_draft_takes_no_addendum_and_an_addendum_needs_words(world):
    draft = write_note(world.client, world.alice)
    with pytest.raises(ValidationError, match="signed notes"):
        services.note_addendum_add(note=draft, by=world.alice, text="More.")
    signed = write_note(world.client, world.alice, sign=True)
    with pytest.raises(ValidationError) as raised:
        services.note_addendum_add(note=signed, by=world.alice, text="  ")
    assert "text" in raised.value.message_dict


# Late entries


@pytest.mark.parametrize(
    ("late_after_days", "contact_days_ago", "late"),
    [(3, 0, False), (3, 3, False), (3, 4, True), (1, 1, False), (1, 2, True), (0, 1, True)],
)
def test_a_note_signed_more_than_the_programs_days_after_the_contact_is_a_late_entry(
    world, late_after_days, contact_days_ago, late
):
    ContactNoteRules.objects.create(program=world.program, late_after_days=late_after_days)
    contact_at = timezone.now() - timedelta(days=contact_days_ago)
    note = write_note(world.client, world.alice, sign=True, contact_at=contact_at)
    assert note.late_entry is late


def test_the_default_is_late_after_three_days(world):
    assert (
        write_note(world.client, world.alice, sign=True, contact_at=days_ago(3)).late_entry is False
    )
    assert (
        write_note(world.client, world.alice, sign=True, contact_at=days_ago(4)).late_entry is True
    )


# Co-signature


@pytest.fixture
def cosigning(world):
    ContactNoteRules.objects.create(program=world.program, supervisor_cosign=True)
    return world


def test_when_the_program_asks_a_note_waits_for_a_supervisor(cosigning):
    world = cosigning
    note = write_note(world.client, world.alice, sign=True)
    assert note.status == "awaiting_cosign" and note.is_locked
    cosigned = services.note_cosign(note=note, by=world.sue)
    assert cosigned.status == "signed"
    assert (cosigned.cosigned_by, cosigned.cosigned_at is not None) == (world.sue, True)


def test_a_supervisors_own_note_needs_no_cosignature(cosigning):
    note = write_note(cosigning.client, cosigning.sue, sign=True)
    assert note.status == "signed" and note.cosigned_by is None


@pytest.mark.parametrize("person", ["alice", "otto", "cody", "charlie"])
def test_only_a_supervisor_of_the_clients_program_cosigns(cosigning, person):
    note = write_note(cosigning.client, cosigning.alice, sign=True)
    with pytest.raises(ValidationError, match="supervisor"):
        services.note_cosign(note=note, by=getattr(cosigning, person))
    note.refresh_from_db()
    assert note.status == "awaiting_cosign"


def test_a_supervisor_never_cosigns_a_note_they_wrote(cosigning):
    from casebridge.monitoring.models import ContactNote

    world = cosigning
    note = write_note(world.client, world.alice, sign=True)
    # Even if a supervisor's note somehow waits (the rule changed), the writer cannot co-sign it.
    ContactNote.objects.filter(pk=note.pk).update(written_by=world.sue)
    note.refresh_from_db()
    with pytest.raises(ValidationError, match="someone other than the writer"):
        services.note_cosign(note=note, by=world.sue)


def test_a_note_is_cosigned_once(cosigning):
    note = write_note(cosigning.client, cosigning.alice, sign=True)
    services.note_cosign(note=note, by=cosigning.sue)
    with pytest.raises(services.NoteLocked):
        services.note_cosign(note=note, by=cosigning.sue)


def test_a_draft_is_not_cosigned(cosigning):
    note = write_note(cosigning.client, cosigning.alice)
    with pytest.raises(services.NoteLocked):
        services.note_cosign(note=note, by=cosigning.sue)


# Bad input


def test_a_contact_in_the_future_is_refused_beyond_a_few_minutes_of_clock_skew(world):
    soon = timezone.now() + timedelta(minutes=2)
    assert write_note(world.client, world.alice, contact_at=soon).pk
    with pytest.raises(ValidationError) as raised:
        write_note(world.client, world.alice, contact_at=timezone.now() + timedelta(minutes=20))
    assert "future" in _errors(raised)["contact_at"]


@pytest.mark.parametrize(("minutes", "ok"), [(0, False), (1, True), (720, True), (721, False)])
def test_duration_is_between_one_minute_and_twelve_hours(world, minutes, ok):
    if ok:
        assert write_note(world.client, world.alice, duration_minutes=minutes).pk
    else:
        with pytest.raises(ValidationError) as raised:
            write_note(world.client, world.alice, duration_minutes=minutes)
        assert "between 1 and 720" in _errors(raised)["duration_minutes"]


def test_an_unknown_contact_type_is_refused(world):
    with pytest.raises(ValidationError) as raised:
        write_note(world.client, world.alice, contact_type="telepathy")
    assert "contact_type" in raised.value.message_dict


def test_goals_come_from_the_plan_in_effect(world, goal):
    note = write_note(world.client, world.alice, sign=True, goal_ids=[goal.pk])
    assert list(note.goals.all()) == [goal]


def test_a_goal_of_another_version_or_another_client_is_refused(world, goal):
    plan = goal.plan
    draft = plan_revise(plan=plan, by=world.alice, reason="New housing goal")
    draft_goal = draft.goals.get()
    other = ClientFactory(program=world.program, primary_case_manager=world.alice)
    for goal_id in (draft_goal.pk, 987654):
        with pytest.raises(ValidationError) as raised:
            write_note(world.client, world.alice, goal_ids=[goal_id])
        assert "care plan in effect" in _errors(raised)["goals"]
    with pytest.raises(ValidationError):
        write_note(other, world.alice, goal_ids=[goal.pk])


def test_text_that_is_too_long_is_refused(world):
    with pytest.raises(ValidationError) as raised:
        write_note(world.client, world.alice, sections=dap(data="x" * 5001))
    assert "section_data" in raised.value.message_dict


# The audit trail


def test_every_write_of_a_note_is_on_the_audit_trail(cosigning):
    world = cosigning
    note = write_note(world.client, world.alice)
    note = services.note_save(
        client=world.client,
        by=world.alice,
        note=note,
        version=note.version,
        sign=True,
        **note_fields(),
    )
    services.note_cosign(note=note, by=world.sue)
    addendum = services.note_addendum_add(note=note, by=world.alice, text="Added later.")
    events = AuditEvent.objects.filter(client_id=world.client.pk)
    note_events = list(
        events.filter(object_type="contact_note", object_id=str(note.pk))
        .order_by("id")
        .values_list("action", "actor__username")
    )
    assert note_events == [("create", "alice"), ("update", "alice"), ("update", "sue")]
    assert events.filter(
        object_type="note_addendum", object_id=str(addendum.pk), action="create"
    ).exists()

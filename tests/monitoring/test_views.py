"""The Contact log and Check-ins pages: forms, errors beside their fields, the 409 of a draft
changed elsewhere, audited reads, and refusals answered as "not found"."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from casebridge.audit.models import AuditEvent
from casebridge.monitoring import services
from casebridge.monitoring.models import CheckIn, CoachingSession, ContactNote, ContactNoteRules
from casebridge.plans.models import PlanTask
from tests.monitoring.helpers import write_note


def url(name, world, client=None, **kwargs):
    return reverse(name, kwargs={"client_id": (client or world.client).pk, **kwargs})


def note_post(**overrides):
    now = timezone.localtime() - timedelta(hours=1)
    data = {
        "contact_date": now.date().isoformat(),
        "contact_time": now.strftime("%H:%M"),
        "contact_type": "phone",
        "duration_minutes": "25",
        "place": "By phone",
        "participants": "Jamie",
        "section_data": "Jamie called about the housing list.",
        "section_assessment": "Hopeful, a little anxious.",
        "section_plan": "Visit two flats on Monday.",
    }
    data.update(overrides)
    return data


def assert_error_beside(response, field_id, text):
    body = response.content.decode()
    assert f'id="{field_id}_error"' in body, f"no error beside {field_id}"
    error = body.split(f'id="{field_id}_error">', 1)[1].split("</p>", 1)[0]
    assert text in error, error
    assert "error-summary" in body  # and listed at the top


def test_the_contact_log_shows_notes_to_the_case_manager_and_buttons_by_action(client, world):
    write_note(world.client, world.alice, sign=True, contact_type="phone")
    client.force_login(world.alice)
    body = client.get(url("contact_log", world)).content.decode()
    assert "Contact notes" in body and "Phone call" in body
    assert "Write a contact note" in body and "Record a coaching session" in body
    assert "Last contact" in body


def test_a_coach_sees_coaching_sessions_but_never_a_note(client, world):
    write_note(
        world.client,
        world.alice,
        sign=True,
        sections={"data": "Secret-data-marker", "assessment": "a", "plan": "p"},
    )
    services.coaching_session_record(
        client=world.client,
        by=world.cody,
        session_on=timezone.localdate(),
        kind="phone",
        duration_minutes=30,
        topics=["cravings"],
        next_step="Call sponsor daily",
    )
    client.force_login(world.cody)
    body = client.get(url("contact_log", world)).content.decode()
    assert "Call sponsor daily" in body
    assert "Contact notes" not in body and "Secret-data-marker" not in body
    assert "Write a contact note" not in body
    assert "Record a coaching session" in body
    note = ContactNote.objects.get()
    assert client.get(url("note_detail", world, note_id=note.pk)).status_code == 404
    timeline = client.get(url("client_timeline", world)).content.decode()
    assert "Face-to-face on" in timeline and "Secret-data-marker" not in timeline


def test_the_new_note_page_has_the_programs_format(client, world):
    ContactNoteRules.objects.create(program=world.program, note_format="birp")
    client.force_login(world.alice)
    body = client.get(url("note_new", world)).content.decode()
    assert "Behaviour: what you observed" in body and "BIRP" in body
    assert 'for="id_contact_time"' in body and 'type="time"' in body


def test_a_draft_is_saved_then_signed_from_the_page(client, world):
    client.force_login(world.alice)
    response = client.post(url("note_new", world), note_post(section_plan="", draft="1"))
    note = ContactNote.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("note_edit", world, note_id=note.pk)
    assert note.status == "draft"
    response = client.post(
        url("note_edit", world, note_id=note.pk),
        note_post(version=str(note.version), sign="1"),
    )
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.status == "signed"
    world.client.refresh_from_db()
    assert world.client.last_contact_at == note.contact_at


def test_a_contact_in_the_future_is_refused_beside_the_date(client, world):
    client.force_login(world.alice)
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = client.post(url("note_new", world), note_post(contact_date=tomorrow.isoformat()))
    assert response.status_code == 200
    assert_error_beside(response, "id_contact_date", "cannot be in the future")
    assert not ContactNote.objects.exists()


@pytest.mark.parametrize("minutes", ["0", "721", "²", "-5"])
def test_a_duration_outside_one_to_720_minutes_is_refused_beside_it(client, world, minutes):
    client.force_login(world.alice)
    response = client.post(url("note_new", world), note_post(duration_minutes=minutes))
    assert response.status_code == 200
    assert 'id="id_duration_minutes_error"' in response.content.decode()


def test_signing_without_every_part_says_which_beside_each(client, world):
    client.force_login(world.alice)
    response = client.post(
        url("note_new", world), note_post(section_assessment="", section_plan="", sign="1")
    )
    assert response.status_code == 200
    assert_error_beside(response, "id_section_assessment", "before signing")
    assert_error_beside(response, "id_section_plan", "before signing")
    assert "Not signed yet" in response.content.decode()
    assert not ContactNote.objects.exists()


def test_a_goal_not_from_the_plan_in_effect_is_refused_beside_the_goals(client, world, goal):
    client.force_login(world.alice)
    response = client.post(url("note_new", world), note_post(goals=["999999"]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "the client&#x27;s care plan in effect" in body or "care plan in effect" in body
    response = client.post(url("note_new", world), note_post(goals=[str(goal.pk)], sign="1"))
    assert response.status_code == 302
    assert list(ContactNote.objects.get().goals.all()) == [goal]


def test_a_draft_changed_in_another_window_is_refused_with_409_and_the_changes(client, world):
    note = write_note(world.client, world.alice)
    opened = note.version
    services.note_save(
        client=world.client,
        by=world.alice,
        note=note,
        version=opened,
        contact_at=note.contact_at,
        contact_type="face_to_face",
        duration_minutes=50,
        sections=note.sections,
        place="Clinic lobby",
    )
    client.force_login(world.alice)
    response = client.post(
        url("note_edit", world, note_id=note.pk), note_post(version=str(opened), place="Cafe")
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert "Someone else changed this while you were working" in body
    assert "Clinic lobby" in body
    note.refresh_from_db()
    assert note.place == "Clinic lobby"  # never merged
    assert f'name="version" value="{note.version}"' in body  # a second save is a choice


def test_only_the_writer_opens_a_draft_to_change_it(client, world):
    note = write_note(world.client, world.alice)
    client.force_login(world.sue)
    assert client.get(url("note_edit", world, note_id=note.pk)).status_code == 404
    assert client.get(url("note_detail", world, note_id=note.pk)).status_code == 200


def test_a_signed_note_sends_its_editor_to_the_addendum(client, world):
    note = write_note(world.client, world.alice, sign=True)
    client.force_login(world.alice)
    response = client.get(url("note_edit", world, note_id=note.pk))
    assert response.status_code == 302
    assert response["Location"] == url("note_detail", world, note_id=note.pk)


def test_reading_a_note_is_on_the_audit_trail(client, world):
    note = write_note(world.client, world.alice, sign=True)
    client.force_login(world.sue)
    body = client.get(url("note_detail", world, note_id=note.pk)).content.decode()
    assert "Met at the library" in body
    assert AuditEvent.objects.filter(
        actor=world.sue, action="view", object_type="contact_note", object_id=str(note.pk)
    ).exists()


def test_the_notes_a_list_shows_are_on_the_audit_trail(client, world):
    note = write_note(world.client, world.alice, sign=True)
    client.force_login(world.sue)
    client.get(url("contact_log", world))
    event = AuditEvent.objects.get(actor=world.sue, object_type="contact_note_list")
    assert event.changes == {"notes": [note.pk]} and event.client_id == world.client.pk


def test_a_late_entry_is_marked_on_the_note_and_the_log(client, world):
    note = write_note(
        world.client, world.alice, sign=True, contact_at=timezone.now() - timedelta(days=5)
    )
    client.force_login(world.alice)
    assert "Late entry" in client.get(url("note_detail", world, note_id=note.pk)).content.decode()
    assert "Late entry" in client.get(url("contact_log", world)).content.decode()


def test_a_supervisor_cosigns_from_the_note_and_the_writer_cannot(client, world):
    ContactNoteRules.objects.create(program=world.program, supervisor_cosign=True)
    note = write_note(world.client, world.alice, sign=True)
    client.force_login(world.alice)
    body = client.get(url("note_detail", world, note_id=note.pk)).content.decode()
    assert "Co-sign this note" not in body and "Waiting for a supervisor" in body
    client.post(url("note_cosign", world, note_id=note.pk))
    note.refresh_from_db()
    assert note.status == "awaiting_cosign"
    client.force_login(world.sue)
    assert (
        "Co-sign this note"
        in client.get(url("note_detail", world, note_id=note.pk)).content.decode()
    )
    client.post(url("note_cosign", world, note_id=note.pk))
    note.refresh_from_db()
    assert (note.status, note.cosigned_by) == ("signed", world.sue)


def test_an_addendum_is_added_below_the_note_and_an_empty_one_refused_beside_it(client, world):
    note = write_note(world.client, world.alice, sign=True)
    client.force_login(world.alice)
    response = client.post(url("note_addendum", world, note_id=note.pk), {"text": ""})
    assert response.status_code == 200
    assert_error_beside(response, "id_text", "Write the correction")
    client.post(url("note_addendum", world, note_id=note.pk), {"text": "The visit is Tuesday."})
    body = client.get(url("note_detail", world, note_id=note.pk)).content.decode()
    assert "The visit is Tuesday." in body and "by Alice" in body


def test_a_note_for_a_plan_task_starts_from_the_task(client, world, goal):
    task = PlanTask.objects.get(client=world.client)
    client.force_login(world.alice)
    response = client.get(url("note_new", world) + f"?task={task.pk}")
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["goals"] == [goal.pk]
    assert form.initial["contact_type"] == "face_to_face"  # the case manager's own action
    assert form.initial["contact_date"] == timezone.localdate()
    assert task.title in response.content.decode()
    response = client.post(url("note_new", world) + f"?task={task.pk}", note_post(sign="1"))
    assert response.status_code == 302
    assert ContactNote.objects.get().plan_task == task


@pytest.mark.parametrize("task", ["abc", "²", "-1", "99999999", "1e3"])
def test_a_task_that_is_not_the_clients_is_not_found(client, world, task):
    client.force_login(world.alice)
    assert client.get(url("note_new", world) + f"?task={task}").status_code == 404


def test_another_clients_task_is_not_found(client, world, goal):
    task = PlanTask.objects.get(client=world.client)
    client.force_login(world.alice)
    response = client.get(
        url("note_new", world, client=world.engagement_client) + f"?task={task.pk}"
    )
    assert response.status_code == 404


def test_a_coach_records_a_coaching_session_and_bad_input_is_said_beside_it(client, world):
    client.force_login(world.cody)
    response = client.post(
        url("coaching_new", world),
        {"session_on": timezone.localdate().isoformat(), "kind": "phone", "duration_minutes": "0"},
    )
    assert response.status_code == 200
    assert 'id="id_duration_minutes_error"' in response.content.decode()
    assert 'id="id_topics_error"' in response.content.decode()
    response = client.post(
        url("coaching_new", world),
        {
            "session_on": timezone.localdate().isoformat(),
            "kind": "accompaniment",
            "duration_minutes": "90",
            "topics": ["meetings", "family"],
            "next_step": "Sunday family dinner",
        },
    )
    assert response.status_code == 302
    assert CoachingSession.objects.get().recorded_by == world.cody


def test_a_check_in_is_recorded_and_shown_on_the_chart_and_table(client, world):
    client.force_login(world.cody)
    data = {
        "mood": "7",
        "craving": "2",
        "used_since_last": "yes",
        "use_detail": "",
        "meetings_since_last": "3",
        "sleep": "well",
        "stressors": "",
        "needs_help_with": "",
    }
    response = client.post(url("check_in_new", world), data)
    assert response.status_code == 200
    assert_error_beside(response, "id_use_detail", "What was used")
    response = client.post(url("check_in_new", world), data | {"used_since_last": "no"})
    assert response.status_code == 302
    assert CheckIn.objects.get().mood == 7
    body = client.get(url("check_in_list", world)).content.decode()
    assert "<svg" in body and "Mood and craving" in body
    assert "<td>7</td><td>2</td>" in body  # the chart's numbers as a table


@pytest.mark.parametrize("field,value", [("mood", "11"), ("craving", "-1"), ("mood", "²")])
def test_a_check_in_scale_outside_0_to_10_is_refused_beside_it(client, world, field, value):
    client.force_login(world.alice)
    data = {
        "mood": "5",
        "craving": "5",
        "used_since_last": "no",
        "meetings_since_last": "0",
        "sleep": "poorly",
        field: value,
    }
    response = client.post(url("check_in_new", world), data)
    assert response.status_code == 200
    assert f'id="id_{field}_error"' in response.content.decode()


@pytest.mark.parametrize(
    "name,kwargs",
    [
        ("contact_log", {}),
        ("note_new", {}),
        ("coaching_new", {}),
        ("check_in_list", {}),
        ("check_in_new", {}),
    ],
)
def test_another_organisations_staff_find_nothing(client, world, name, kwargs):
    client.force_login(world.charlie)
    assert client.get(url(name, world, **kwargs)).status_code == 404


def test_intake_writes_notes_for_new_clients_but_sees_no_check_ins(client, world):
    client.force_login(world.ivy)
    assert client.get(url("note_new", world, client=world.engagement_client)).status_code == 200
    assert (
        client.get(url("check_in_list", world, client=world.engagement_client)).status_code == 404
    )
    assert client.get(url("coaching_new", world, client=world.engagement_client)).status_code == 404


def test_the_pages_carry_no_inline_script_or_style(client, world):
    write_note(world.client, world.alice, sign=True)
    services.check_in_record(
        client=world.client, by=world.alice, mood=5, craving=4, used_since_last=False, sleep="well"
    )
    note = ContactNote.objects.get()
    client.force_login(world.alice)
    for name, kwargs in [
        ("contact_log", {}),
        ("note_new", {}),
        ("check_in_list", {}),
        ("check_in_new", {}),
        ("coaching_new", {}),
        ("note_detail", {"note_id": note.pk}),
    ]:
        body = client.get(url(name, world, **kwargs)).content.decode()
        assert " style=" not in body and "<style" not in body, name
        assert "<script>" not in body and " on" + "click=" not in body, name

"""A plan task recorded as done offers to record its contact in the same step: a link to the
note form started from the task, or, with "Also write a contact note" ticked, straight on to it,
with and without script. Only for people who record contacts for the client."""

import pytest
from django.urls import reverse

from casebridge.monitoring.models import ContactNote
from casebridge.plans.models import PlanTask
from tests.monitoring.test_views import note_post
from tests.plans.helpers import ready_plan, sign_all

OFFER = "Record the contact for this"
CHECKBOX = 'name="write_note"'
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def task(world):
    sign_all(ready_plan(world), world)
    return PlanTask.objects.get()


def _close(task):
    return reverse("task_close", kwargs={"client_id": task.client_id, "task_id": task.pk})


def _note_form(task):
    return reverse("note_new", kwargs={"client_id": task.client_id}) + f"?task={task.pk}"


def test_the_task_forms_offer_the_note_to_a_case_manager(client, world, task):
    client.force_login(world.alice)
    plan_home = client.get(reverse("plan_home", kwargs={"client_id": world.client.pk}))
    assert "Also write a contact note" in plan_home.content.decode()
    assert CHECKBOX in client.get(reverse("my_tasks")).content.decode()


def test_done_in_place_answers_with_a_link_to_the_note_started_from_the_task(client, world, task):
    client.force_login(world.alice)
    body = client.post(_close(task), {"done": "1"}, **HTMX).content.decode()
    assert "Recorded as done." in body
    assert OFFER in body and f'href="{_note_form(task)}"'.replace("&", "&amp;") in body


def test_missed_is_not_offered_a_note(client, world, task):
    client.force_login(world.alice)
    body = client.post(_close(task), {"done": "0", "note": "Not home"}, **HTMX).content.decode()
    assert "Recorded as missed." in body and OFFER not in body


def test_missed_with_the_box_ticked_is_recorded_and_goes_to_no_note(client, world, task):
    client.force_login(world.alice)
    response = client.post(_close(task), {"done": "0", "note": "Not home", "write_note": "1"})
    assert response.status_code == 302 and "notes/new" not in response["Location"]
    task.refresh_from_db()
    assert task.status == "missed"


def test_done_on_a_full_page_says_so_with_the_link(client, world, task):
    client.force_login(world.alice)
    response = client.post(_close(task), {"done": "1", "back": "my_tasks"}, follow=True)
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("my_tasks")
    assert f'Task recorded. <a href="{_note_form(task)}">{OFFER}</a>' in page


def test_ticked_without_script_goes_on_to_the_note_form_started_from_the_task(client, world, task):
    client.force_login(world.alice)
    response = client.post(_close(task), {"done": "1", "write_note": "1"})
    assert response.status_code == 302 and response["Location"] == _note_form(task)
    task.refresh_from_db()
    assert task.status == "done"
    form = client.get(response["Location"]).content.decode()
    assert "Now write the contact note for it." in form
    assert f"Recorded for the plan task “{task.title}”" in form


def test_ticked_in_place_sends_the_browser_to_the_note_form(client, world, task):
    client.force_login(world.alice)
    response = client.post(_close(task), {"done": "1", "write_note": "1"}, **HTMX)
    assert response["HX-Redirect"] == _note_form(task)
    task.refresh_from_db()
    assert task.status == "done"


def test_the_note_written_after_the_task_is_kept_with_it(client, world, task):
    client.force_login(world.alice)
    url = client.post(_close(task), {"done": "1", "write_note": "1"})["Location"]
    goal = world.client.plans.get().goals.get()
    form = client.get(url).content.decode()
    # Started from the task: its goal ticked and the kind of contact its action suggests.
    assert f'value="{goal.pk}" id="id_goals_0" checked' in form
    assert '<option value="face_to_face" selected>' in form
    response = client.post(url, note_post(sign="1", goals=[goal.pk]))
    assert response.status_code == 302, response.content.decode()[:2000]
    note = ContactNote.objects.get()
    assert note.plan_task == task and list(note.goals.all()) == [goal]
    assert note.status == "signed"


def test_a_failed_record_keeps_the_tick_and_goes_nowhere(client, world, task):
    client.force_login(world.alice)
    response = client.post(_close(task), {"done": "0", "write_note": "1"}, **HTMX)
    body = response.content.decode()
    assert "HX-Redirect" not in response
    assert "Say what happened" in body and 'name="write_note" value="1" checked' in body
    task.refresh_from_db()
    assert task.status == "open"


def test_a_coach_is_offered_no_note_and_a_tick_is_ignored(client, world):
    sign_all(ready_plan(world, owner=world.cody), world)
    task = PlanTask.objects.get()
    client.force_login(world.cody)
    assert CHECKBOX not in client.get(reverse("my_tasks")).content.decode()
    body = client.post(_close(task), {"done": "1"}, **HTMX).content.decode()
    assert "Recorded as done." in body and OFFER not in body
    following = PlanTask.objects.get(status="open")
    response = client.post(_close(following), {"done": "1", "write_note": "1"})
    assert response["Location"] == reverse("plan_home", kwargs={"client_id": world.client.pk})
    following.refresh_from_db()
    assert following.status == "done"

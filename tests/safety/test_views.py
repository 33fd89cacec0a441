"""The Safety plan tab and the on-call pages, per role: who writes, who reads, who is not told
the record exists; the printout in English and Spanish; the roster and the call log."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from casebridge.audit.models import AuditEvent
from casebridge.safety import services
from casebridge.safety.models import AfterHoursContact, OnCallShift, SafetyPlan
from tests.pdf_text import pdf_words
from tests.plans.helpers import SIGNATURE
from tests.safety.helpers import FILLED, filled_draft, plan_in_effect, shift_now


def _url(name, world, plan=None):
    args = [world.client.pk] + ([plan.pk] if plan else [])
    return reverse(name, args=args)


def test_a_case_manager_writes_signs_and_puts_a_safety_plan_in_effect(client, world):
    client.force_login(world.alice)
    response = client.post(_url("safety_plan_start", world))
    plan = SafetyPlan.objects.get(client=world.client)
    assert response.url == _url("safety_plan_edit", world, plan)
    edit = client.get(response.url).content.decode()
    assert 'for="id_warning_signs"' in edit and "988 Suicide" in edit
    response = client.post(_url("safety_plan_edit", world, plan), FILLED | {"version": 1})
    assert response.status_code == 302
    detail = client.get(_url("safety_plan_detail", world, plan)).content.decode()
    assert "Sister Ana 555-0101" in detail and "Record the client" in detail
    client.post(
        _url("safety_plan_sign", world, plan),
        {"role": "client", "version": 2, "method": "on_screen", "image": SIGNATURE},
    )
    client.post(_url("safety_plan_sign", world, plan), {"role": "staff", "version": 3})
    plan.refresh_from_db()
    assert plan.status == "active"
    home = client.get(_url("safety_plan_home", world)).content.decode()
    assert "in effect since" in home and "Make a new version" in home


def test_a_save_over_someone_elses_shows_their_change_and_keeps_the_typing(client, world):
    plan = services.safety_plan_start(client=world.client, by=world.alice)
    services.safety_plan_save(
        plan=plan, by=world.sue, version=plan.version, sections={"coping_steps": "Walk"}
    )
    client.force_login(world.alice)
    response = client.post(
        _url("safety_plan_edit", world, plan), FILLED | {"version": plan.version}
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert "Someone else changed" in body and "sue" in body and "Listen to music" in body
    plan.refresh_from_db()
    assert plan.coping_steps == "Walk"


def test_the_coach_reads_the_plan_in_effect_but_no_draft_and_writes_nothing(client, world):
    plan = plan_in_effect(world)
    draft = services.safety_plan_start(client=world.client, by=world.alice)
    client.force_login(world.cody)
    home = client.get(_url("safety_plan_home", world))
    assert home.status_code == 200
    body = home.content.decode()
    assert "My daughter" in body and "All versions" not in body and "Make a new" not in body
    assert client.get(_url("safety_plan_detail", world, plan)).status_code == 200
    assert client.get(_url("safety_plan_detail", world, draft)).status_code == 404
    assert client.get(_url("safety_plan_edit", world, draft)).status_code == 404
    assert client.get(_url("safety_plan_print", world, plan)).status_code == 404
    assert client.post(_url("safety_plan_start", world)).status_code == 404
    assert client.post(_url("safety_plan_sign", world, draft), {"role": "staff"}).status_code == 404


def test_the_coach_sees_the_plan_tab_on_the_clients_pages(client, world):
    client.force_login(world.cody)
    body = client.get(reverse("client_overview", args=[world.client.pk])).content.decode()
    assert _url("safety_plan_home", world) in body


def test_intake_reads_but_does_not_write_the_safety_plan(client, world):
    client.force_login(world.ivy)
    url = reverse("safety_plan_home", args=[world.engagement_client.pk])
    assert client.get(url).status_code == 200
    start = reverse("safety_plan_start", args=[world.engagement_client.pk])
    assert client.post(start).status_code == 404


@pytest.mark.parametrize("person", ["bob", "otto", "charlie", "ada", "aud"])
def test_anyone_else_is_told_the_plan_is_not_there(client, world, person):
    plan = plan_in_effect(world)
    client.force_login(getattr(world, person))
    assert client.get(_url("safety_plan_home", world)).status_code == 404
    assert client.get(_url("safety_plan_detail", world, plan)).status_code == 404
    assert client.get(_url("safety_plan_print", world, plan)).status_code == 404


@pytest.mark.parametrize(
    "lang, expected, html_lang",
    [
        ("en", ["My safety plan", "Step 1: Warning signs", "My reasons for living"], "en"),
        (
            "es",
            ["Mi plan de seguridad", "Paso 1: Señales de advertencia", "razones para vivir"],
            "es",
        ),
    ],
)
def test_the_printout_in_english_and_spanish_keeps_the_clients_words(
    client, world, lang, expected, html_lang
):
    plan = plan_in_effect(world)
    client.force_login(world.alice)
    response = client.get(_url("safety_plan_print", world, plan), {"lang": lang})
    body = response.content.decode()
    assert f'<html lang="{html_lang}">' in body
    for words in expected:
        assert words in body
    assert "My daughter" in body and "call or text 988" in body  # the client's own lines
    assert "911" in body
    assert AuditEvent.objects.filter(
        action="print", object_type="safety_plan", changes__language=lang
    ).exists()


def test_the_printout_follows_the_clients_language(client, world):
    world.client.preferred_language = "Spanish"
    world.client.save()
    plan = plan_in_effect(world)
    client.force_login(world.alice)
    assert (
        "Mi plan de seguridad"
        in client.get(_url("safety_plan_print", world, plan)).content.decode()
    )


# --- On call ------------------------------------------------------------------------------------


def _when(moment):
    local = timezone.localtime(moment)
    return {"date": local.date().isoformat(), "time": local.strftime("%H:%M")}


def _shift_post(world, start, end, user=None):
    s, e = timezone.localtime(start), timezone.localtime(end)
    return {
        "user": (user or world.bob).pk,
        "start_date": s.date().isoformat(),
        "start_time": s.strftime("%H:%M"),
        "end_date": e.date().isoformat(),
        "end_time": e.strftime("%H:%M"),
        "handover_note": "",
    }


def test_a_supervisor_sets_the_roster_and_overlaps_are_refused_in_plain_words(client, world):
    client.force_login(world.sue)
    url = reverse("on_call_roster", args=[world.program.pk])
    start = timezone.now().replace(second=0, microsecond=0) + timedelta(days=1)
    response = client.post(url, _shift_post(world, start, start + timedelta(hours=12)))
    assert response.status_code == 302
    shift = OnCallShift.objects.get()
    assert shift.user == world.bob and shift.starts_at == start
    response = client.post(
        url, _shift_post(world, start + timedelta(hours=2), start + timedelta(hours=4), world.alice)
    )
    assert response.status_code == 400
    assert "Bob" in response.content.decode() and "cannot overlap" in response.content.decode()
    response = client.post(url, _shift_post(world, start, start - timedelta(hours=1)))
    assert "ends before it starts" in response.content.decode()
    assert OnCallShift.objects.count() == 1
    # Who is on call next shows on the On call page for everyone clinical in the program.
    client.force_login(world.cody)
    body = client.get(reverse("on_call")).content.decode()
    assert "Bob" in body and "Outpatient" in body


@pytest.mark.parametrize("person", ["alice", "bob", "cody", "ivy"])
def test_the_programs_staff_read_the_roster_but_only_supervisors_change_it(client, world, person):
    client.force_login(getattr(world, person))
    url = reverse("on_call_roster", args=[world.program.pk])
    page = client.get(url)
    assert page.status_code == 200 and "Add a shift" not in page.content.decode()
    start = timezone.now() + timedelta(days=1)
    assert (
        client.post(url, _shift_post(world, start, start + timedelta(hours=8))).status_code == 404
    )
    assert not OnCallShift.objects.exists()


def test_another_programs_supervisor_does_not_see_the_roster(client, world):
    client.force_login(world.otto)
    assert client.get(reverse("on_call_roster", args=[world.program.pk])).status_code == 404


def test_the_on_call_worker_logs_a_call_from_the_callers_page(client, world):
    shift_now(world)
    client.force_login(world.bob)
    page = client.get(reverse("on_call_client", args=[world.client.pk])).content.decode()
    log_url = reverse("after_hours_new") + f"?client={world.client.pk}"
    assert log_url in page
    form = client.get(log_url).content.decode()
    assert 'name="client"' in form and world.client.case_number in form
    response = client.post(
        reverse("after_hours_new"),
        {
            "client": world.client.pk,
            "program": world.program.pk,
            **_when(timezone.now() - timedelta(minutes=3)),
            "caller": "the client",
            "what_happened": "Cravings",
            "what_was_done": "Safety plan step 2",
            "follow_up_needed": "on",
        },
    )
    assert response.status_code == 302
    contact = AfterHoursContact.objects.get()
    assert contact.client == world.client and contact.taken_by == world.bob
    # The case manager sees it on the client's Safety plan tab.
    client.force_login(world.alice)
    assert "Safety plan step 2" in client.get(_url("safety_plan_home", world)).content.decode()
    # The coach does not: what happened is clinical.
    client.force_login(world.cody)
    assert "Safety plan step 2" not in client.get(_url("safety_plan_home", world)).content.decode()


def test_a_call_about_a_client_the_worker_may_not_open_is_not_found(client, world):
    shift_now(world)
    client.force_login(world.bob)
    url = reverse("after_hours_new") + f"?client={world.foreign_client.pk}"
    assert client.get(url).status_code == 404


def test_the_worker_writes_the_hand_over_note(client, world):
    shift = shift_now(world)
    client.force_login(world.bob)
    url = reverse("on_call_handover", args=[shift.pk])
    assert client.post(url, {"handover_note": "Quiet night."}).status_code == 302
    shift.refresh_from_db()
    assert shift.handover_note == "Quiet night."
    client.force_login(world.alice)
    assert client.get(url).status_code == 404


def test_the_menu_shows_on_call_to_clinical_staff_only(client, world):
    link = f'href="{reverse("on_call")}"'
    client.force_login(world.cody)
    assert link in client.get(reverse("caseload")).content.decode()
    client.force_login(world.aud)
    assert link not in client.get(reverse("audit_trail")).content.decode()


def test_a_filled_draft_helper_is_ready_to_sign(world):
    assert services.unfinished(filled_draft(world)) == []


def test_the_person_on_call_is_offered_the_caller_lookup_and_sees_the_weeks_calls(client, world):
    shift_now(world)
    services.after_hours_record(
        program=world.program,
        by=world.bob,
        at=timezone.now() - timedelta(minutes=5),
        caller="a shelter",
        what_happened="Asked for a bed",
        what_was_done="Gave the number of Hope House",
    )
    client.force_login(world.bob)
    body = client.get(reverse("on_call")).content.decode()
    assert "You are on call" in body and 'name="q"' in body and "a shelter" in body
    client.force_login(world.alice)
    body = client.get(reverse("on_call")).content.decode()
    assert "You are on call" not in body and "a shelter" not in body


def test_only_shifts_to_come_can_be_removed(client, world):
    started = shift_now(world)
    start = timezone.now() + timedelta(days=2)
    later = services.shift_add(
        program=world.program,
        user=world.alice,
        starts_at=start,
        ends_at=start + timedelta(hours=8),
        by=world.sue,
    )
    client.force_login(world.sue)
    body = client.get(reverse("on_call_roster", args=[world.program.pk])).content.decode()
    assert reverse("on_call_shift_remove", args=[later.pk]) in body
    assert reverse("on_call_shift_remove", args=[started.pk]) not in body
    assert client.post(reverse("on_call_shift_remove", args=[later.pk])).status_code == 302
    assert list(OnCallShift.objects.all()) == [started]


@pytest.mark.parametrize("lang, title", [("en", "My safety plan"), ("es", "Mi plan de seguridad")])
def test_the_pdf_is_a_real_pdf_and_printing_it_is_audited(client, world, lang, title):
    plan = plan_in_effect(world)
    client.force_login(world.alice)
    response = client.get(
        reverse("safety_plan_pdf", args=[world.client.pk, plan.pk]), {"lang": lang}
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_words(response.content)
    assert title in text and "My daughter" in text and "Sister Ana 555-0101" in text
    assert "Rivera" not in response["Content-Disposition"]
    assert AuditEvent.objects.filter(
        action="print", object_type="safety_plan", changes__format="pdf"
    ).exists()

"""A case manager records a phone call as a DAP note, signs it and sees the last contact move on
the caseload; then records a check-in and sees it on the chart and in the table beside it; and
records a plan task done and its contact note in the same step. The pages fit a phone and pass
the automated WCAG checks."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from casebridge.monitoring import services
from casebridge.monitoring.models import CheckIn, ContactNote
from casebridge.plans.models import PlanTask
from tests.browser.test_accessibility import axe_page, open_page, violations  # noqa: F401
from tests.browser.test_journey import sign_in
from tests.plans.helpers import ready_plan, sign_all

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENS = "/tmp/screens"
PHONE = {"width": 390, "height": 844}


def horizontal_overflow(page) -> int:
    """How many pixels the page is wider than the screen (0 when it fits)."""
    return page.evaluate(
        "() => Math.max(0, document.documentElement.scrollWidth - window.innerWidth)"
    )


def _picture(page, name):
    # caret="initial": Playwright hides the caret with an inline style, which the CSP refuses.
    page.screenshot(path=f"{SCREENS}/{name}.png", full_page=True, caret="initial")


def _caseload_last_contact(page, live_server, world):
    page.goto(f"{live_server.url}/caseload/")
    row = page.get_by_role("row").filter(has_text=world.client.case_number)
    return row.locator("td[data-label='Last contact']")


def test_record_a_phone_note_sign_it_and_see_last_contact_move_then_a_check_in(
    page, live_server, world
):
    sign_in(page, live_server, "alice")
    expect(_caseload_last_contact(page, live_server, world)).to_have_text("None yet")

    page.goto(f"{live_server.url}/clients/{world.client.pk}/")
    page.get_by_role("link", name="Contact log").click()
    expect(page.get_by_text("None recorded yet")).to_be_visible()
    page.get_by_role("link", name="Write a contact note").click()
    page.get_by_label(re.compile(r"^Kind of contact")).select_option("phone")
    page.get_by_label(re.compile(r"^How long")).fill("25")
    page.get_by_label("Where").fill("By phone")
    page.get_by_label("Who took part").fill("Jamie")
    page.get_by_label("Data: what happened").fill("Jamie called about the housing list.")
    page.get_by_label("Assessment: what it means").fill("Hopeful; sleeping better.")
    # Signing with a part missing is refused beside it, and the summary at the top says so.
    page.get_by_role("button", name="Sign note").click()
    expect(page.locator("#id_section_plan_error")).to_have_text(
        "Write “Plan: what happens next” before signing."
    )
    expect(page.locator(".error-summary")).to_contain_text("Not signed yet")
    page.get_by_label("Plan: what happens next").fill("Visit two flats on Monday.")
    _picture(page, "note_form_desktop")
    page.get_by_role("button", name="Sign note").click()

    expect(page.get_by_text("Note signed and locked.")).to_be_visible()
    expect(
        page.get_by_role("heading", name=re.compile("^Contact note: Phone call"))
    ).to_be_visible()
    note = ContactNote.objects.get()
    assert (note.status, note.note_format) == ("signed", "dap")
    _picture(page, "note_detail_desktop")

    today = timezone.localdate()
    expect(_caseload_last_contact(page, live_server, world)).to_have_text(f"{today:%b} {today.day}")
    page.goto(f"{live_server.url}/clients/{world.client.pk}/contact-log/")
    expect(page.locator(".facts")).to_contain_text(f"Last contact{today:%b} {today.day}")
    expect(page.locator(".facts")).not_to_contain_text("None recorded yet")
    _picture(page, "contact_log_desktop")

    page.get_by_role("link", name="Check-ins").click()
    page.get_by_role("link", name="Record a check-in").click()
    page.get_by_label(re.compile(r"^Mood")).fill("6")
    page.get_by_label(re.compile(r"^Craving")).fill("3")
    page.get_by_label("No", exact=True).check()
    page.get_by_label(re.compile(r"^Meetings attended")).fill("2")
    page.get_by_label("Well", exact=True).check()
    page.get_by_label("Needs help with").fill("A ride to Tuesday's appointment")
    page.get_by_role("button", name="Save the check-in").click()

    expect(page.get_by_text("Check-in recorded.")).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("Mood and craving"))).to_be_visible()
    numbers = page.get_by_role("table").filter(has_text="The numbers in the chart")
    expect(numbers.get_by_role("row").nth(1)).to_contain_text("6")
    expect(numbers.get_by_role("row").nth(1)).to_contain_text("3")
    expect(page.get_by_text("A ride to Tuesday's appointment")).to_be_visible()
    assert CheckIn.objects.get().recorded_by == world.alice
    _picture(page, "check_ins_desktop")
    assert page.console_errors == []


def test_record_a_plan_task_done_and_its_contact_note_in_the_same_step(page, live_server, world):
    sign_all(ready_plan(world), world)
    sign_in(page, live_server, "alice")
    page.get_by_role("link", name="My tasks").click()
    task = page.get_by_role("listitem").filter(has_text="Go through housing listings together")
    task.get_by_label("Done").check()
    task.get_by_label("Also write a contact note").check()
    task.get_by_role("button", name="Record").click()

    # Straight on to the note, started from the task: its goal ticked, a face-to-face contact.
    expect(page.get_by_text("Task recorded. Now write the contact note for it.")).to_be_visible()
    expect(page.get_by_text("Recorded for the plan task")).to_be_visible()
    expect(page.get_by_label("I want my own place")).to_be_checked()
    expect(page.get_by_label(re.compile(r"^Kind of contact"))).to_have_value("face_to_face")
    page.get_by_label(re.compile(r"^How long")).fill("40")
    page.get_by_label("Data: what happened").fill("Went through the housing listings together.")
    page.get_by_label("Assessment: what it means").fill("Two places worth a visit.")
    page.get_by_label("Plan: what happens next").fill("Call both landlords on Monday.")
    page.get_by_role("button", name="Sign note").click()
    expect(page.get_by_text("Note signed and locked.")).to_be_visible()
    first = PlanTask.objects.get(status="done")
    note = ContactNote.objects.get()
    assert note.plan_task == first and note.contact_type == "face_to_face"

    # Without the tick, the task recorded in place offers the note as a link.
    page.goto(f"{live_server.url}/clients/{world.client.pk}/plan/")
    following = page.get_by_role("listitem").filter(has_text="Go through housing listings")
    following.get_by_label("Done").check()
    following.get_by_role("button", name="Record").click()
    expect(following.get_by_role("status")).to_contain_text("Recorded as done.")
    following.get_by_role("link", name="Record the contact for this").click()
    expect(page.get_by_text("Recorded for the plan task")).to_be_visible()
    second = PlanTask.objects.filter(status="done").exclude(pk=first.pk).get()
    assert page.url.endswith(f"/notes/new/?task={second.pk}")
    assert page.console_errors == []


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def _with_history(world):
    now = timezone.now()
    for days, (mood, craving) in enumerate([(4, 7), (5, 6), (5, 5), (7, 3), (6, 4)][::-1]):
        check_in = services.check_in_record(
            client=world.client,
            by=world.cody,
            mood=mood,
            craving=craving,
            used_since_last=days == 3,
            use_detail="Two beers" if days == 3 else "",
            sleep="some_trouble",
            needs_help_with="Bus fare" if days == 0 else "",
        )
        CheckIn.objects.filter(pk=check_in.pk).update(
            checked_in_at=now - timezone.timedelta(days=days * 3)
        )
    note = services.note_save(
        client=world.client,
        by=world.alice,
        sign=True,
        contact_at=now - timezone.timedelta(days=1),
        contact_type="visit",
        duration_minutes=60,
        place="Client's flat",
        sections={"data": "Visited at home.", "assessment": "Settling in.", "plan": "Next week."},
    )
    services.coaching_session_record(
        client=world.client,
        by=world.cody,
        session_on=timezone.localdate(),
        kind="accompaniment",
        duration_minutes=90,
        topics=["meetings", "family"],
        next_step="Thursday meeting together",
    )
    return note


def test_the_monitoring_pages_fit_a_phone(phone, live_server, world):
    note = _with_history(world)
    sign_in(phone, live_server, "alice")
    base = f"{live_server.url}/clients/{world.client.pk}"
    for name, path in [
        ("contact_log", "/contact-log/"),
        ("note_form", "/notes/new/"),
        ("note_detail", f"/notes/{note.pk}/"),
        ("check_ins", "/check-ins/"),
        ("check_in_form", "/check-ins/new/"),
        ("coaching_form", "/coaching/new/"),
    ]:
        phone.goto(base + path)
        expect(phone.get_by_role("heading", level=1)).to_be_visible()
        assert horizontal_overflow(phone) == 0, name
        _picture(phone, f"{name}_phone")


def test_the_monitoring_pages_pass_automated_wcag_checks(axe_page, live_server, world):  # noqa: F811
    note = _with_history(world)
    sign_in(axe_page, live_server, "alice")
    base = f"{live_server.url}/clients/{world.client.pk}"
    name = world.client.display_name
    found = {}
    for path in [
        "/contact-log/",
        "/notes/new/",
        f"/notes/{note.pk}/",
        "/check-ins/",
        "/check-ins/new/",
        "/coaching/new/",
    ]:
        open_page(axe_page, base + path, name)
        problems = violations(axe_page)
        if problems:
            found[path] = problems
    assert not found, found

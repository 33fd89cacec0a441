"""A case manager schedules a court hearing, records that the client did not go, and finds it on
the client's timeline and among the caseload's due items. The week fits a phone, is worked with
the keyboard alone, and passes the automated WCAG checks."""

import re
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from casebridge.monitoring.models.appointments import Appointment
from casebridge.monitoring.services import appointments as services
from tests.browser.test_accessibility import axe_page, open_page, violations  # noqa: F401
from tests.browser.test_journey import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENS = Path("/tmp/screens")
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def _picture(page, name):
    SCREENS.mkdir(exist_ok=True)
    # caret="initial": Playwright hides the caret with an inline style, which the CSP refuses.
    page.screenshot(path=str(SCREENS / f"{name}.png"), full_page=True, caret="initial")


def horizontal_overflow(page) -> int:
    return page.evaluate(
        "() => Math.max(0, document.documentElement.scrollWidth - window.innerWidth)"
    )


def test_schedule_a_court_hearing_mark_it_missed_and_see_it_followed(page, live_server, world):
    yesterday = timezone.localdate() - timedelta(days=1)
    sign_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/clients/{world.client.pk}/")
    page.get_by_role("navigation", name="Client record").get_by_role(
        "link", name="Calendar"
    ).click()
    expect(page.get_by_role("heading", name="Calendar", exact=True)).to_be_visible()
    page.get_by_role("link", name="Schedule an appointment").click()

    page.get_by_label(re.compile(r"^Kind of appointment")).select_option("court")
    page.get_by_label(re.compile(r"^Date")).fill(f"{yesterday:%Y-%m-%d}")
    page.get_by_label(re.compile(r"^Starts at")).fill("09:00")
    page.get_by_label(re.compile(r"^Ends at")).fill("08:30")
    page.get_by_label("With (provider or agency)").fill("County Drug Court")
    page.get_by_label("Where").fill("Courthouse, Room 4")
    page.get_by_label("Who goes with the client").fill("Cody")
    page.get_by_label("Transport is arranged").check()
    # An end before the start is refused beside the end, and the summary says so.
    page.get_by_role("button", name="Schedule it").click()
    expect(page.locator("#id_end_time_error")).to_have_text(
        "The end is before the start. Check the end time or the length."
    )
    expect(page.locator(".error-summary")).to_contain_text("Ends at")
    _picture(page, "appointment_form_desktop")
    page.get_by_label(re.compile(r"^Ends at")).fill("10:00")
    page.get_by_role("button", name="Schedule it").click()

    expect(page.get_by_text("Appointment scheduled.")).to_be_visible()
    week = page.locator("ol.calendar")
    week.get_by_role("link", name="Court hearing").click()
    expect(page.get_by_role("heading", name=re.compile(r"^Court hearing: "))).to_be_visible()
    page.get_by_label("The client did not go").check()
    page.get_by_label("Anything to add").fill("Not at the courthouse by 9:30")
    page.get_by_role("button", name="Record it").click()

    expect(page.get_by_text("Recorded.")).to_be_visible()
    expect(page.get_by_role("heading", name="Follow up the missed appointment")).to_be_visible()
    _picture(page, "appointment_detail_desktop")
    hearing = Appointment.objects.get()
    assert (hearing.status, hearing.status_changed_by) == ("missed", world.alice)

    page.get_by_role("navigation", name="Client record").get_by_role(
        "link", name="Timeline"
    ).click()
    entry = page.locator(".timeline li").filter(has_text="Missed court hearing")
    expect(entry).to_contain_text(f"{yesterday:%b} {yesterday.day}, {yesterday.year}")
    expect(entry).to_contain_text("With County Drug Court. Not at the courthouse by 9:30")

    page.goto(f"{live_server.url}/caseload/")
    row = page.get_by_role("row").filter(has_text=world.client.case_number)
    expect(row.locator("td[data-label='Next due']")).to_contain_text(
        f"Missed court hearing: follow up by {yesterday:%b} {yesterday.day} (overdue)"
    )
    assert page.console_errors == []


def _a_busy_week(world):
    """This week: a court hearing, a therapy session, a daily mutual-help meeting, a drug test
    and a day's obligation from a care plan; a missed one last Monday."""
    monday = timezone.localdate() - timedelta(days=timezone.localdate().weekday())

    def at(day, hour, minute=0):
        return timezone.make_aware(
            datetime.combine(monday + timedelta(days=day), time(hour, minute))
        )

    def book(kind, day, hour, minutes=60, **extra):
        return services.appointment_schedule(
            client=world.client,
            by=world.alice,
            kind=kind,
            starts_at=at(day, hour),
            ends_at=at(day, hour) + timedelta(minutes=minutes),
            **extra,
        )

    book("court", 1, 9, 90, provider="County Drug Court", place="Courthouse, Room 4")
    book("therapy", 2, 11, provider="Dr. Okafor", place="Riverside Clinic")
    book("mutual_help", 0, 19, recurrence="daily", until=monday + timedelta(days=6), provider="NA")
    book("drug_test", 3, 8, 15, place="County lab")
    book("probation", 4, 14, 30, provider="Officer Grant", accompanied_by="Cody")
    obligation = book("housing", 2, 9)
    obligation.appointments.update(timed=False, starts_at=at(2, 0), ends_at=at(3, 0))
    missed = book("benefits", -7, 10).appointments.get()
    services.appointment_set_status(
        appointment=missed, by=world.alice, to_status="missed", version=1
    )


def test_the_week_on_a_desktop_and_on_a_phone(browser, live_server, world):
    _a_busy_week(world)
    for name, viewport, extra in (
        ("desktop", DESKTOP, {}),
        ("phone", PHONE, {"is_mobile": True, "has_touch": True}),
    ):
        context = browser.new_context(viewport=viewport, **extra)
        page = context.new_page()
        page.set_default_timeout(10_000)
        sign_in(page, live_server, "alice")
        page.goto(f"{live_server.url}/clients/{world.client.pk}/calendar/")
        expect(page.locator("ol.calendar-week > li")).to_have_count(7)
        expect(page.locator("ol.calendar")).to_contain_text("Court hearing")
        expect(page.locator("ol.calendar")).to_contain_text("Any time")
        assert horizontal_overflow(page) == 0, name
        _picture(page, f"calendar_week_{name}")
        page.goto(f"{live_server.url}/calendar/")
        expect(page.get_by_role("heading", name="My calendar", level=1)).to_be_visible()
        assert horizontal_overflow(page) == 0, name
        _picture(page, f"my_calendar_{name}")
        context.close()
    # On a wide screen the seven days sit side by side; on a phone they are a list.
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    sign_in(page, live_server, "cody")
    page.goto(f"{live_server.url}/clients/{world.client.pk}/calendar/")
    days = page.locator("ol.calendar-week > li")
    tops = {round(days.nth(i).bounding_box()["y"]) for i in range(7)}
    assert len(tops) == 1
    expect(page.locator("ol.calendar")).to_contain_text("Appointment (health)")
    expect(page.locator("ol.calendar")).not_to_contain_text("Dr. Okafor")
    _picture(page, "calendar_week_coach_desktop")
    context.close()


def test_the_calendar_is_worked_with_the_keyboard(page, live_server, world):
    _a_busy_week(world)
    sign_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/clients/{world.client.pk}/calendar/")
    next_week = page.get_by_role("link", name="Next week")
    next_week.focus()
    expect(next_week).to_be_focused()
    page.keyboard.press("Enter")
    monday = timezone.localdate() - timedelta(days=timezone.localdate().weekday())
    later = monday + timedelta(days=7)
    expect(page.get_by_role("heading", name=re.compile(r"^Week of "))).to_contain_text(
        f"{later:%b} {later.day}"
    )
    # The controls are reached with Tab in reading order, and Enter follows them.
    page.get_by_role("link", name="Previous week").focus()
    order = []
    for _ in range(4):
        page.keyboard.press("Tab")
        order.append(page.evaluate("() => document.activeElement.textContent.trim()"))
    assert order == ["This week", "Next week \u203a", "Week", "Day"]
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="Day", exact=True)).to_have_attribute(
        "aria-current", "page"
    )
    expect(
        page.get_by_role(
            "heading",
            name=re.compile(r"^(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), "),
        )
    ).to_be_visible()


def test_the_calendar_pages_pass_automated_wcag_checks(axe_page, live_server, world):  # noqa: F811
    _a_busy_week(world)
    hearing = Appointment.objects.filter(kind="court").get()
    sign_in(axe_page, live_server, "alice")
    base = f"{live_server.url}/clients/{world.client.pk}"
    name = world.client.display_name
    found = {}
    for path, heading in [
        (f"{base}/calendar/", name),
        (f"{base}/calendar/?view=day", name),
        (f"{base}/appointments/new/", name),
        (f"{base}/appointments/{hearing.pk}/", name),
        (f"{live_server.url}/calendar/", "My calendar"),
        (f"{live_server.url}/calendar/feed/", "Calendar feed"),
    ]:
        open_page(axe_page, path, heading)
        problems = violations(axe_page)
        if problems:
            found[path] = problems
    assert not found, found

"""A case manager's afternoon with one client, clicked through as a person would: a plan task
recorded done and its contact note written and signed from the offer that follows; a court
hearing of yesterday put on the calendar and recorded as missed; a drug screen with an
unexpected positive. The caseload row then shows today's contact, the missed hearing to follow
up and the flag the screen raised, and the client's timeline shows all three."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.test_journey import sign_in
from tests.plans.helpers import ready_plan, sign_all

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TASK = "Go through housing listings together"
FIVE_PANEL_NEGATIVES = [
    "Amphetamines",
    "Cannabis (THC)",
    "Opiates (morphine, codeine, heroin)",
    "PCP",
]


def _day(day) -> str:
    """A date as the pages write it in running text, e.g. "Dec 2, 2026"."""
    return f"{day:%b} {day.day}, {day.year}"


def _tab(page, name):
    page.get_by_role("navigation", name="Client record").get_by_role(
        "link", name=name, exact=True
    ).click()


def _caseload_row(page, live_server, world):
    page.goto(f"{live_server.url}/caseload/")
    expect(page.get_by_role("heading", name="My caseload")).to_be_visible()
    return page.get_by_role("row").filter(has_text=world.client.case_number)


def _record_the_task_and_sign_its_contact_note(page):
    _tab(page, "Care plan")
    task = page.get_by_role("listitem").filter(has_text=TASK)
    task.get_by_label("Done").check()
    task.get_by_role("button", name="Record").click()
    expect(task.get_by_role("status")).to_contain_text("Recorded as done.")
    task.get_by_role("link", name="Record the contact for this").click()

    expect(page.get_by_role("heading", name="Write a contact note")).to_be_visible()
    expect(page.get_by_text(f"Recorded for the plan task “{TASK}”")).to_be_visible()
    # Face-to-face, not an attempt: a contact that counts towards the contact standard.
    expect(page.get_by_label(re.compile(r"^Kind of contact"))).to_have_value("face_to_face")
    page.get_by_label(re.compile(r"^How long")).fill("40")
    page.get_by_label("Where").fill("The office")
    page.get_by_label("Who took part").fill("Jamie")
    page.get_by_label("Data: what happened").fill("Went through the housing listings together.")
    page.get_by_label("Assessment: what it means").fill("Two places worth a visit.")
    page.get_by_label("Plan: what happens next").fill("Call both landlords on Monday.")
    page.get_by_role("button", name="Sign note").click()

    expect(page.get_by_text("Note signed and locked.")).to_be_visible()
    expect(
        page.get_by_role("heading", name=re.compile(r"^Contact note: Face-to-face"))
    ).to_be_visible()
    facts = page.locator(".facts")
    expect(facts).to_contain_text("Plan task" + TASK)
    expect(facts).to_contain_text("How long40 minutes")


def _record_yesterdays_court_hearing_as_missed(page, yesterday):
    _tab(page, "Calendar")
    expect(page.get_by_role("heading", name="Calendar", exact=True)).to_be_visible()
    page.get_by_role("link", name="Schedule an appointment").click()
    page.get_by_label(re.compile(r"^Kind of appointment")).select_option(label="Court hearing")
    page.get_by_label(re.compile(r"^Date")).fill(yesterday.isoformat())
    page.get_by_label(re.compile(r"^Starts at")).fill("09:00")
    page.get_by_label(re.compile(r"^Ends at")).fill("10:00")
    page.get_by_label("With (provider or agency)").fill("County Drug Court")
    page.get_by_label("Where").fill("Courthouse, Room 4")
    page.get_by_role("button", name="Schedule it").click()

    expect(page.get_by_text("Appointment scheduled.")).to_be_visible()
    # The calendar opens on the week of the hearing, even when yesterday was last week.
    page.locator("ol.calendar").get_by_role("link", name="Court hearing").click()
    expect(page.get_by_role("heading", name=re.compile(r"^Court hearing: "))).to_be_visible()
    page.get_by_label("The client did not go").check()
    page.get_by_label("Anything to add").fill("Not at the courthouse by 9:30")
    page.get_by_role("button", name="Record it").click()

    expect(page.get_by_text("Recorded.")).to_be_visible()
    expect(page.locator(".appointment-facts")).to_contain_text("StatusMissed")
    expect(page.get_by_role("heading", name="Follow up the missed appointment")).to_be_visible()


def _record_a_screen_positive_for_cocaine(page, today):
    _tab(page, "Recovery")
    page.get_by_role("link", name="Record a drug screen").click()
    page.get_by_label(re.compile(r"^Date of the screen")).fill(today.isoformat())
    page.get_by_label("Specimen", exact=True).select_option(label="Urine")
    page.get_by_label("Yes", exact=True).check()
    page.get_by_label("Point of care (instant cup").check()
    page.get_by_label("Panel", exact=True).select_option(
        label="5-panel urine (amphetamines, cocaine, THC, opiates, PCP)"
    )
    # Each substance has a result list and an "expected because prescribed" box of the same
    # name: the result is the list.
    for substance in FIVE_PANEL_NEGATIVES:
        page.get_by_role("combobox", name=substance, exact=True).select_option(label="Negative")
    page.get_by_role("combobox", name="Cocaine", exact=True).select_option(label="Positive")
    page.get_by_role("button", name="Save the screen").click()

    expect(page.get_by_text("Drug screen recorded.")).to_be_visible()
    expect(page.get_by_role("list", name="Flags")).to_contain_text(
        "High risk of relapse: Drug screen of " + _day(today) + ": unexpected positive for cocaine"
    )
    screens = page.get_by_role("table").filter(has_text="Every drug screen")
    expect(screens).to_contain_text("Unexpected positive for cocaine")


def test_a_task_note_a_missed_hearing_and_a_positive_screen_show_on_caseload_and_timeline(
    page, live_server, world
):
    sign_all(ready_plan(world), world)
    today = timezone.localdate()
    yesterday = today - timedelta(days=1)
    sign_in(page, live_server, "alice")

    row = _caseload_row(page, live_server, world)
    expect(row.locator("td[data-label='Last contact']")).to_have_text("None yet")
    expect(row.locator("td[data-label='Flags']")).to_have_text("—")

    row.get_by_role("link", name=world.client.display_name).click()
    _record_the_task_and_sign_its_contact_note(page)
    _record_yesterdays_court_hearing_as_missed(page, yesterday)
    _record_a_screen_positive_for_cocaine(page, today)

    # The caseload row: today's contact, the hearing to follow up, the flag from the screen.
    row = _caseload_row(page, live_server, world)
    expect(row.locator("td[data-label='Last contact']")).to_have_text(f"{today:%b} {today.day}")
    expect(row.locator("td[data-label='Next due']")).to_contain_text(
        f"Missed court hearing: follow up by {yesterday:%b} {yesterday.day} (overdue)"
    )
    expect(row.locator("td[data-label='Flags']")).to_have_text("High risk of relapse")

    # The timeline: the contact, the missed hearing and the screen, each as a person reads it.
    row.get_by_role("link", name=world.client.display_name).click()
    _tab(page, "Timeline")
    expect(page.get_by_role("heading", name="Timeline, newest first")).to_be_visible()
    timeline = page.locator(".timeline li")
    expect(timeline.filter(has_text=f"Face-to-face on {_day(today)}, 40 minutes")).to_have_count(1)
    hearing = timeline.filter(has_text="Missed court hearing")
    expect(hearing).to_have_count(1)
    expect(hearing).to_contain_text(_day(yesterday))
    expect(hearing).to_contain_text("With County Drug Court. Not at the courthouse by 9:30")
    screen = timeline.filter(has_text="Drug screen on")
    expect(screen).to_have_count(1)
    expect(screen).to_contain_text(
        f"Drug screen on {_day(today)} (urine, observed, point of care): "
        "unexpected positive for cocaine"
    )
    expect(timeline.filter(has_text="Flag raised: High risk of relapse")).to_have_count(1)
    assert page.console_errors == []

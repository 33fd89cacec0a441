"""A case manager steps a client down from residential care to intensive outpatient with a warm
hand-off, sees a second move lapse into a gap in care on My Day, and the client's care ends with
a discharge summary, an aftercare plan and a follow-up 30 days later. The pages pass the
automated WCAG checks."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from casebridge.alerts.services import evaluate_clients
from casebridge.followups.models import FollowUpOutcome
from tests.browser.test_accessibility import axe_page, open_page, violations  # noqa: F401
from tests.browser.test_journey import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _day(days_ago: int) -> str:
    return (timezone.localdate() - timedelta(days=days_ago)).isoformat()


def test_a_step_down_with_a_warm_hand_off_then_a_gap_in_care(page, live_server, world):
    world.alice.programs.add(world.other_program)
    sign_in(page, live_server, "alice")
    base = f"{live_server.url}/clients/{world.client.pk}"

    # Where the client is: residential care at one of our programs, since 40 days ago.
    page.goto(f"{base}/care-levels/")
    expect(page.get_by_text("No stay at a level of care is recorded yet.")).to_be_visible()
    page.get_by_role("link", name="Record where the client is").click()
    page.get_by_label("Level of care").select_option("3.5")
    page.get_by_label("At one of our programs").select_option(label="Residential")
    page.get_by_label("Admitted on").fill(_day(120))
    page.get_by_role("button", name="Record the stay").click()
    expect(page.get_by_text("Stay recorded.")).to_be_visible()

    # Step down to intensive outpatient, back at the client's outpatient program.
    page.get_by_role("link", name="Plan the next level").click()
    page.get_by_label("Next level of care", exact=False).and_(page.locator("select")).select_option(
        "2.1"
    )
    page.get_by_label("At one of our programs").select_option(label="Outpatient")
    page.get_by_label("Leaves (or left) the current level on").fill(_day(90))
    page.get_by_label("Why the client is moving").fill("Finished residential treatment")
    page.get_by_role("button", name="Open the transition").click()
    expect(page.get_by_text("Transition opened.")).to_be_visible()
    expect(
        page.get_by_role("heading", name=re.compile("Moving to 2.1 Intensive outpatient"))
    ).to_be_visible()

    # The warm hand-off: an appointment made and a medication bridge, each with what was done.
    page.get_by_role("link", name="Update Appointment made at the next level").click()
    page.get_by_role("radio", name="Done").check()
    page.get_by_label("What was done").fill("Group room 2, Bridge IOP")
    page.get_by_label("Appointment day").fill(_day(89))
    page.get_by_label("Appointment time").fill("09:30")
    page.get_by_role("button", name="Save the step").click()
    expect(page.get_by_text("Saved: Appointment made at the next level.")).to_be_visible()
    page.get_by_role("link", name="Update Medication bridged").click()
    page.get_by_role("radio", name="Done").check()
    page.get_by_role("button", name="Save the step").click()
    expect(page.locator("#id_details_error")).to_contain_text("Say who doses or prescribes")
    page.get_by_label("What was done").fill("Dr. Lee prescribes buprenorphine until the IOP doctor")
    page.get_by_role("button", name="Save the step").click()
    expect(page.get_by_text("Saved: Medication bridged.")).to_be_visible()

    # The next level confirms the admission: the client is at IOP; the strip shows both stays.
    page.get_by_role("link", name="Confirm the admission").click()
    page.get_by_label("Admitted on").fill(_day(89))
    page.get_by_role("button", name="Confirm the admission").click()
    expect(page.get_by_text("Admission at Outpatient recorded.")).to_be_visible()
    strip = page.get_by_role("img", name="Stays and gaps over time")
    expect(strip).to_be_visible()
    expect(page.locator(".strip-legend")).to_contain_text("Level 3.5")
    expect(page.locator(".strip-legend")).to_contain_text("Level 2.1")
    page.screenshot(path="/tmp/care-levels.png", full_page=True)

    # A second move, to aftercare, lapses: long after leaving, no admission.
    page.get_by_role("link", name="Plan the next level").click()
    page.get_by_label("Next level of care", exact=False).and_(page.locator("select")).select_option(
        "aftercare"
    )
    page.get_by_label("Or somewhere else").fill("Eastside Aftercare")
    page.get_by_label("Leaves (or left) the current level on").fill(_day(60))
    page.get_by_label("Why the client is moving").fill("Finished IOP")
    page.get_by_role("button", name="Open the transition").click()
    expect(page.get_by_text("Transition opened.")).to_be_visible()
    evaluate_clients([world.client.pk])
    page.goto(f"{live_server.url}/my-day/")
    gap = page.locator("article.alert-card").filter(has_text="Gap in care:")
    expect(gap).to_contain_text("not admitted at Eastside Aftercare 7 days after leaving")
    # Sixty days on, it has been raised with the supervisors twice (after 14 and 30 days).
    expect(page.locator("article.alert-card").filter(has_text="Gap in care over")).to_have_count(2)
    gap.get_by_role("link", name=re.compile("Open levels of care")).click()
    expect(page.get_by_text("60 days waiting for the admission")).to_be_visible()

    # The client turns up at aftercare at last; care there ends 35 days ago, with an aftercare
    # plan and a discharge summary signed as final.
    page.get_by_role("link", name="Confirm the admission").click()
    page.get_by_label("Admitted on").fill(_day(50))
    page.get_by_role("button", name="Confirm the admission").click()
    expect(page.get_by_text("Admission at Eastside Aftercare recorded.")).to_be_visible()
    page.get_by_role("link", name="Discharge", exact=True).click()
    page.get_by_role("link", name="Write the aftercare plan").click()
    page.get_by_label("Discharge day").fill(_day(35))
    page.get_by_label("Mutual-help meetings").fill("NA, Tuesday 7pm, St. Mark's")
    page.get_by_label("Relapse-prevention steps, in the client's own words").fill(
        "Call my sponsor before I go anywhere near the old crowd"
    )
    page.get_by_role("button", name="Save the aftercare plan").click()
    expect(page.get_by_text("Aftercare plan saved.")).to_be_visible()
    page.get_by_role("button", name="Write a discharge summary").click()
    expect(page.get_by_text("Discharge summary drafted.")).to_be_visible()
    page.get_by_label("Discharge day").fill(_day(35))
    page.get_by_label("Recommendations").fill("Keep going to NA; see the IOP doctor monthly")
    page.get_by_role("button", name="Save the draft").click()
    expect(page.get_by_text("Discharge summary saved.")).to_be_visible()
    summary = page.locator("article.discharge-document")
    expect(summary).to_contain_text("Eastside Aftercare")
    expect(summary).to_contain_text("Call my sponsor")
    page.get_by_label("I have read this summary and sign it as final").check()
    page.get_by_role("button", name=re.compile("^Sign as")).click()
    expect(page.get_by_text("Signed. The discharge summary is final")).to_be_visible()

    page.goto(f"{base}/care-levels/")
    page.get_by_role("link", name="Record leaving care").click()
    page.get_by_label("Left on").fill(_day(35))
    page.get_by_label("How the stay ended").select_option("completed")
    page.get_by_role("button", name="Record leaving").click()
    expect(page.get_by_text("Leaving recorded.")).to_be_visible()
    expect(page.locator(".strip-legend")).to_contain_text("Out of care")

    # Thirty days on, the follow-up is due: the client is reached and says how they are.
    page.get_by_role("link", name="Follow-up", exact=True).click()
    page.get_by_role("link", name="Log an attempt for the 30-day follow-up").click()
    page.get_by_role("radio", name="Reached").check()
    page.get_by_label("Note").fill("Called; doing well, back at work")
    page.get_by_role("button", name=re.compile("^(Log|Save)")).click()
    expect(page.get_by_text("Attempt logged. Now record how the client is doing.")).to_be_visible()
    for question, answer in [
        ("Alcohol or drug use since leaving care", "None"),
        ("Housing", "Stable"),
        ("Working or in school", "Yes"),
        ("Involvement with the law", "None"),
        ("People to turn to for support", "Yes"),
        ("In treatment now", "Yes"),
    ]:
        page.get_by_role("group", name=re.compile(f"^{re.escape(question)}")).get_by_label(
            answer, exact=True
        ).check()
    page.get_by_role("button", name=re.compile("^(Record|Save)")).click()
    expect(page.get_by_text("How the client is doing is recorded.")).to_be_visible()
    outcome = FollowUpOutcome.objects.get()
    assert outcome.follow_up.day_mark == 30 and outcome.housing == "stable"


def test_the_levels_of_care_pages_pass_automated_wcag_checks(axe_page, live_server, world):  # noqa: F811
    from tests.transitions.helpers import stepping_down

    transition = stepping_down(world, left=3)
    sign_in(axe_page, live_server, "alice")
    base = f"{live_server.url}/clients/{world.client.pk}/care-levels"
    name = world.client.display_name
    item = transition.items.get(kind="appointment")
    for url in (
        f"{base}/",
        f"{base}/transitions/{transition.pk}/admit/",
        f"{base}/steps/{item.pk}/",
        f"{base}/steps/{transition.items.get(kind='records_sent').pk}/records/",
    ):
        open_page(axe_page, url, name)
        assert violations(axe_page) == [], url
    # On a phone nothing runs off the side of the page.
    axe_page.set_viewport_size({"width": 390, "height": 844})
    open_page(axe_page, f"{base}/", name)
    overflow = axe_page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1, f"the tab runs {overflow}px off a phone's screen"
    assert violations(axe_page) == []

"""A case manager builds a care plan from the assessment with the client, the client signs on
screen, the plan goes into effect, its task reaches the case manager's list, and it prints."""

import re

import pytest
from playwright.sync_api import expect

from casebridge.plans.models import CarePlan
from tests.browser.test_journey import sign_in
from tests.pdf_text import pdf_words
from tests.plans.helpers import in_days, signed_assessment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_build_a_plan_from_the_assessment_sign_it_and_print_it(page, live_server, world):
    signed_assessment(
        world.client,
        world.alice,
        needs={"housing": {"severity": 3, "reason": "Sleeping on a friend's couch"}},
    )
    sign_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/clients/{world.client.pk}/")
    page.get_by_role("link", name="Care plan").click()
    page.get_by_role("button", name="Start a plan from the assessment").click()
    expect(page.get_by_text("Housing: Sleeping on a friend's couch")).to_be_visible()

    page.get_by_role("link", name="Add a goal for this need").click()
    expect(page.get_by_text("Strengths from the assessment")).to_be_visible()
    page.get_by_role("button", name="Save").click()
    expect(
        page.locator("p.error", has_text="Write the goal the way the client says it.")
    ).to_be_visible()
    page.get_by_label("The goal in the client's words").fill("I want my own place")
    page.get_by_label("How we will know it is reached").fill("A signed lease in my name")
    page.get_by_label("Short or long term").select_option("long")
    page.get_by_label("Target date").fill(in_days(120).isoformat())
    page.get_by_label("Strength it builds on").fill("Good with people")
    page.get_by_role("button", name="Save").click()

    page.get_by_role("link", name="Add a step").click()
    page.get_by_label("The step").fill("Put in two housing applications")
    page.get_by_role("button", name="Save").click()
    # The next link shows beside the open form: wait for the saved step, or the click races it.
    expect(
        page.locator("li[id^=step-]", has_text="Put in two housing applications")
    ).to_be_visible()
    page.get_by_role("link", name="Add what will be done").click()
    page.get_by_label("What will be done").fill("Go through housing listings together")
    page.get_by_label("Who does it").select_option("case_manager")
    page.get_by_label("How often").select_option("weekly")
    page.get_by_label("Staff member who keeps track").select_option(label="Alice Staff")
    page.get_by_role("button", name="Save").click()
    # Each control names what it acts on, for screen readers.
    expect(
        page.get_by_role("link", name="Change action “Go through housing listings together”")
    ).to_be_visible()

    page.get_by_label("Signed on screen").check()
    pad = page.locator("canvas[data-signature-pad]")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 40)
    page.mouse.down()
    page.mouse.move(box["x"] + 140, box["y"] + 100, steps=8)
    page.mouse.move(box["x"] + 260, box["y"] + 30, steps=8)
    page.mouse.up()
    page.get_by_role("button", name="Record the client's agreement").click()
    expect(page.get_by_text("The text of this version is now fixed.")).to_be_visible()
    expect(page.get_by_role("link", name="Add a step")).to_have_count(0)
    page.get_by_role("button", name=re.compile("Sign as case manager")).click()
    expect(page.get_by_text("The plan is now in effect.")).to_be_visible()
    plan = CarePlan.objects.get(client=world.client)
    assert plan.status == "active"
    assert plan.signatures.get(role="client").image.startswith("data:image/png;base64,")

    page.get_by_role("link", name="My tasks").click()
    task = page.get_by_role("listitem").filter(has_text="Go through housing listings together")
    task.get_by_label("Done").check()
    task.get_by_label("Missed").check()
    task.get_by_role("button", name="Record").click()
    # Recorded in place (htmx): missing needs a note, said beside the task.
    expect(task.get_by_role("alert")).to_have_text("Say what happened, so the team can follow up.")
    expect(task.get_by_role("alert")).to_be_focused()
    expect(task.get_by_label("Missed")).to_be_checked()  # what was chosen is kept
    task.get_by_label("Done").check()
    task.get_by_role("button", name="Record").click()
    expect(task.get_by_role("status")).to_contain_text("Recorded as done.")
    expect(task.get_by_role("status")).to_be_focused()
    assert world.client.timeline.filter(summary__startswith="Task done:").exists()

    page.goto(f"{live_server.url}/clients/{world.client.pk}/plan/{plan.pk}/")
    page.get_by_role("link", name="Print").click()
    expect(page.get_by_role("heading", name="My recovery plan")).to_be_visible()
    expect(page.get_by_text("My goal: “I want my own place”")).to_be_visible()
    expect(page.get_by_alt_text(re.compile("Signature of"))).to_be_visible()
    pdf = page.request.get(f"{live_server.url}/clients/{world.client.pk}/plan/{plan.pk}/pdf/")
    assert pdf.ok and 'My goal: "I want my own place"' in pdf_words(pdf.body())
    assert not page.console_errors

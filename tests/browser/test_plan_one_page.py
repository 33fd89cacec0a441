"""A case manager builds a whole care plan with the client on the plan page itself: needs and
strengths from the assessment beside it, every goal, step and action added in place, then the
client signs on screen and the plan goes into effect."""

import re

import pytest
from playwright.sync_api import expect

from casebridge.plans import services
from casebridge.plans.models import CarePlan
from tests.browser.test_accessibility import axe_page, violations  # noqa: F401 (fixture)
from tests.browser.test_journey import sign_in
from tests.plans.helpers import in_days, signed_assessment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GOALS = [
    ("housing", "I want my own place", "A signed lease in my name", "long"),
    ("housing", "I want to stop sofa surfing", "Three months in one place", "short"),
    ("employment", "I want a job I like", "A first pay cheque", "long"),
]
STEPS = ["Put in two housing applications", "Stay with my sister for now", "Send out my CV"]
ACTIONS = [
    "Go through housing listings together",
    "Check in with the sister by phone",
    "Refer to the job club",
]


def _picture(page, path, **options):
    # Playwright hides the text caret with an inline style, which the CSP refuses (and says so
    # on the console); the caret may show instead.
    page.screenshot(path=path, caret="initial", **options)


def _save(page):
    page.locator(".plan-inplace").get_by_role("button", name="Save").click()


def test_build_a_whole_plan_on_one_page_and_sign_it(page, live_server, world):
    signed_assessment(
        world.client,
        world.alice,
        needs={
            "housing": {"severity": 3, "reason": "Sleeping on a friend's couch"},
            "employment": {"severity": 2, "reason": "Lost the warehouse job in May"},
        },
    )
    plan = services.plan_start(client=world.client, by=world.alice)
    needs = {problem.need_domain: problem for problem in plan.problems.all()}
    sign_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/clients/{world.client.pk}/plan/{plan.pk}/")
    here = page.url
    announce = page.locator("#plan-announce")

    # What the assessment found stays beside the plan while it is built.
    aside = page.get_by_role("complementary", name="From the assessment")
    expect(aside).to_contain_text("Sleeping on a friend's couch")
    expect(aside).to_contain_text("Lost the warehouse job in May")
    expect(aside).to_contain_text("Good with people; a loving family")

    # A form that fails says so at its top, in place, and focus goes there; Cancel puts the plan
    # back and focus on the link that opened the form.
    housing = page.locator(f"#need-{needs['housing'].pk}")
    housing.get_by_role("link", name="Add a goal for this need").click()
    expect(page.get_by_role("heading", name="Add a goal")).to_be_focused()
    _save(page)
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Write the goal the way the client says it.")
    _picture(page, "/tmp/plan_one_page_form.png")
    page.locator(".plan-inplace").get_by_role("link", name="Cancel").click()
    expect(page.locator(".plan-inplace")).to_have_count(0)
    expect(housing.get_by_role("link", name="Add a goal for this need")).to_be_focused()
    assert page.url == here

    for domain, words, measurable, term in GOALS:
        page.locator(f"#need-{needs[domain].pk}").get_by_role(
            "link", name="Add a goal for this need"
        ).click()
        page.get_by_label("The goal in the client's words").fill(words)
        page.get_by_label("How we will know it is reached").fill(measurable)
        page.get_by_label("Short or long term").select_option(term)
        page.get_by_label("Target date").fill(in_days(120).isoformat())
        page.get_by_label("Strength it builds on").fill("Good with people")
        _save(page)
        # Focus lands on the goal just added, and the status line says what happened.
        expect(page.locator("article.plan-goal", has_text=words)).to_be_focused()
        expect(announce).to_have_text("Goal added.")
        assert page.url == here

    for n, (_, words, _, _) in enumerate(GOALS):
        goal = page.locator("article.plan-goal", has_text=words)
        goal.get_by_role("link", name="Add a step").click()
        page.get_by_label("The step").fill(STEPS[n])
        _save(page)
        expect(goal.get_by_role("listitem").filter(has_text=STEPS[n])).to_be_focused()
        expect(announce).to_have_text("Step added.")
        goal.get_by_role("link", name="Add what will be done").click()
        page.get_by_label("What will be done").fill(ACTIONS[n])
        page.get_by_label("Who does it").select_option("case_manager")
        page.get_by_label("How often").select_option("weekly")
        _save(page)
        expect(goal.get_by_role("listitem").filter(has_text=ACTIONS[n])).to_be_focused()
        expect(announce).to_have_text("Action added.")
        assert page.url == here

    # Changed and removed in place too.
    page.get_by_role("link", name=f"Change step “{STEPS[1]}”").click()
    page.get_by_label("The step").fill("Stay with my sister until the lease")
    _save(page)
    expect(announce).to_have_text("Step changed.")
    page.get_by_role("button", name="Remove step “Stay with my sister until the lease”").click()
    expect(announce).to_have_text("Step removed.")
    assert page.url == here

    editor = page.locator("#plan-editor")
    for text in [words for _, words, _, _ in GOALS] + [STEPS[0], STEPS[2], *ACTIONS]:
        expect(editor).to_contain_text(text)
    expect(editor).not_to_contain_text("Stay with my sister")
    _picture(page, "/tmp/plan_one_page.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    _picture(page, "/tmp/plan_one_page_390.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 720})

    # Nothing is missing now, so the signing forms have appeared; the signature pad still draws
    # (its form was kept through every change) and the version it carries is the current one.
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
    page.get_by_role("button", name=re.compile("Sign as case manager")).click()
    expect(page.get_by_text("The plan is now in effect.")).to_be_visible()
    plan = CarePlan.objects.get(pk=plan.pk)
    assert plan.status == "active"
    assert plan.goals.count() == 3 and plan.objectives.count() == 2
    assert plan.interventions.count() == 3
    assert plan.signatures.get(role="client").image.startswith("data:image/png;base64,")
    assert not page.console_errors


def test_a_form_open_in_place_with_its_errors_passes_automated_wcag_checks(
    axe_page,  # noqa: F811
    live_server,
    world,
):
    signed_assessment(
        world.client,
        world.alice,
        needs={"housing": {"severity": 3, "reason": "Sleeping on a friend's couch"}},
    )
    plan = services.plan_start(client=world.client, by=world.alice)
    sign_in(axe_page, live_server, "alice")
    axe_page.goto(f"{live_server.url}/clients/{world.client.pk}/plan/{plan.pk}/")
    axe_page.get_by_role("link", name="Add a goal for this need").click()
    axe_page.locator(".plan-inplace").get_by_role("button", name="Save").click()
    expect(axe_page.locator("[data-error-summary]")).to_be_focused()
    assert not violations(axe_page)


def test_without_script_each_add_is_its_own_page_as_before(browser, live_server, world):
    signed_assessment(
        world.client,
        world.alice,
        needs={"housing": {"severity": 3, "reason": "Sleeping on a friend's couch"}},
    )
    plan = services.plan_start(client=world.client, by=world.alice)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        sign_in(page, live_server, "alice")
        here = f"{live_server.url}/clients/{world.client.pk}/plan/{plan.pk}/"
        page.goto(here)
        page.get_by_role("link", name="Add a goal for this need").click()
        expect(page.get_by_role("heading", name="Add a goal", level=2)).to_be_visible()
        assert page.url != here
        page.get_by_label("The goal in the client's words").fill("I want my own place")
        page.get_by_label("How we will know it is reached").fill("A signed lease in my name")
        page.get_by_label("Target date").fill(in_days(120).isoformat())
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_role("heading", name="“I want my own place”")).to_be_visible()
        page.get_by_role("link", name="Add a step").click()
        page.get_by_label("The step").fill("Put in two housing applications")
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_role("listitem").filter(has_text="Put in two housing")).to_be_visible()
        page.get_by_role("button", name="Remove step “Put in two housing applications”").click()
        expect(page.get_by_text("Removed.")).to_be_visible()
        assert not plan.objectives.exists()
    finally:
        context.close()

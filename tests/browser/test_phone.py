"""On a phone (390 px wide) the pages staff open on a home visit fit the screen: nothing scrolls
sideways, and the navigation takes at most two lines."""

import base64
import io

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from casebridge.clients import services as client_services
from casebridge.plans import services as plan_services
from tests.browser.test_journey import sign_in
from tests.plans.helpers import ready_plan, signed_assessment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def _canvas_signature() -> str:
    """A signature as the pad on the page draws it: a 600 x 180 PNG."""
    picture = Image.new("RGBA", (600, 180), (255, 255, 255, 0))
    ImageDraw.Draw(picture).line(
        [(20, 140), (200, 30), (400, 150), (580, 40)], fill="black", width=4
    )
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _plan_signed_with_a_drawn_signature(world):
    plan = ready_plan(world)
    plan_services.plan_sign(
        plan=plan,
        by=world.alice,
        version=plan.version,
        role="client",
        method="on_screen",
        image=_canvas_signature(),
    )
    plan.refresh_from_db()
    plan_services.plan_sign(plan=plan, by=world.alice, version=plan.version, role="case_manager")
    return plan


def header_lines(page) -> int:
    """On how many lines the header's visible controls sit (brand, links, the person, sign out)."""
    return page.evaluate(
        """() => {
            const rows = [];
            const items = document.querySelectorAll(
                '.site-header a, .site-header button, .site-header summary, .site-header .who > span'
            );
            for (const item of items) {
                if (!item.checkVisibility({visibilityProperty: true})) continue;
                const box = item.getBoundingClientRect();
                const middle = box.top + box.height / 2;
                if (!rows.some(row => Math.abs(row - middle) < box.height / 2)) rows.push(middle);
            }
            return rows.length;
        }"""
    )


def check_fits(page, name: str, *, menu_open: bool = False) -> None:
    page.screenshot(path=f"/tmp/phone_{name}.png", full_page=True)
    # A phone's browser zooms out to fit a page that is too wide, so both widths tell.
    width = page.evaluate("() => Math.max(document.documentElement.scrollWidth, window.innerWidth)")
    assert width <= PHONE["width"], f"{name} is {width - PHONE['width']} px wider than the phone"
    if not menu_open:
        lines = header_lines(page)
        assert lines <= 2, f"the navigation on {name} takes {lines} lines"


def test_caseload_fits_a_phone_and_shows_case_numbers_and_next_due(phone, live_server, world):
    client_services.flag_raise(client=world.client, by=world.alice, kind="safety")
    sign_in(phone, live_server, "alice")
    expect(phone.get_by_role("heading", name="My day")).to_be_visible()
    check_fits(phone, "my_day")
    phone.goto(f"{live_server.url}/caseload/")
    expect(phone.get_by_role("heading", name="My caseload")).to_be_visible()
    check_fits(phone, "caseload")
    row = phone.locator("table.caseload tbody tr").filter(has_text="Jamie Rivera")
    for text in (world.client.case_number, "Contact by"):
        cell = row.get_by_text(text)
        expect(cell).to_be_visible()
        box = cell.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]


def test_client_overview_fits_a_phone(phone, live_server, world):
    client_services.flag_raise(client=world.client, by=world.alice, kind="safety", note="x" * 200)
    sign_in(phone, live_server, "alice")
    phone.goto(f"{live_server.url}/clients/{world.client.pk}/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Jamie Rivera")
    check_fits(phone, "overview")


def test_a_signed_assessment_fits_a_phone(phone, live_server, world):
    assessment = signed_assessment(
        world.client,
        world.alice,
        needs={
            "housing": {
                "severity": 3,
                "reason": "Sleeping on a friend's couch since https://example.org/a/very/long/"
                "address/that/does/not/break/anywhere/at/all/on/a/small/screen",
            }
        },
    )
    sign_in(phone, live_server, "alice")
    phone.goto(f"{live_server.url}/clients/{world.client.pk}/assessments/{assessment.pk}/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Jamie Rivera")
    check_fits(phone, "assessment")


def test_a_plan_with_a_drawn_signature_fits_a_phone(phone, live_server, world):
    plan = _plan_signed_with_a_drawn_signature(world)
    sign_in(phone, live_server, "alice")
    phone.goto(f"{live_server.url}/clients/{world.client.pk}/plan/{plan.pk}/")
    signature = phone.get_by_alt_text("Signature of", exact=False)
    expect(signature).to_be_visible()
    check_fits(phone, "plan")
    box = signature.bounding_box()
    assert box is not None and box["x"] + box["width"] <= PHONE["width"]


def test_the_menu_opens_and_is_walked_with_the_keyboard_on_a_phone(phone, live_server, world):
    sign_in(phone, live_server, "sue")
    expect(phone.get_by_role("banner")).to_have_count(1)
    expect(phone.get_by_role("navigation", name="Main")).to_have_count(1)
    expect(phone.get_by_role("main")).to_have_count(1)
    team = phone.get_by_role("link", name="Team", exact=True)
    expect(team).to_be_hidden()

    def focused() -> str:
        return phone.evaluate("() => document.activeElement.textContent.trim()")

    for _ in range(5):
        phone.keyboard.press("Tab")
        if focused() == "Menu":
            break
    assert focused() == "Menu"
    phone.keyboard.press("Enter")
    expect(team).to_be_visible()
    reached = []
    while len(reached) < 15 and focused() != "Emergency access":
        phone.keyboard.press("Tab")
        reached.append(focused())
    assert reached[:8] == [
        "My day",
        "My caseload",
        "My tasks",
        "My calendar",
        "Directory",
        "On call",
        "New client",
        "Team",
    ]
    assert reached[-1] == "Emergency access"
    check_fits(phone, "menu", menu_open=True)
    phone.keyboard.press("Enter")
    expect(phone.get_by_role("heading", name="Emergency access")).to_be_visible()


def test_on_a_wide_screen_the_links_show_in_a_row_without_the_menu_button(page, live_server, world):
    sign_in(page, live_server, "sue")
    expect(page.get_by_role("link", name="Team", exact=True)).to_be_visible()
    expect(page.locator(".nav-menu > summary")).to_be_hidden()
    page.screenshot(path="/tmp/phone_wide_screen.png")
    rows = page.evaluate(
        "() => new Set([...document.querySelectorAll('.nav li')].map("
        "li => Math.round(li.getBoundingClientRect().top))).size"
    )
    assert rows == 1

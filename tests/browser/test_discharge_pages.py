"""The discharge pages in Chromium: they pass the automated WCAG checks, and on a phone's width
nothing runs off the side of the page."""

import os

import pytest
from playwright.sync_api import expect

from tests.browser.test_accessibility import AXE, violations
from tests.browser.test_journey import sign_in
from tests.discharge.helpers import aftercare, draft, full_record

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Where to keep screenshots for a person to look at (unset: none are taken).
SHOTS = os.environ.get("DISCHARGE_SCREENSHOTS", "")


@pytest.fixture
def axe_page(request):
    if not AXE.exists():
        pytest.skip("axe-core is not installed (npm ci)")
    context = request.getfixturevalue("browser").new_context(
        bypass_csp=True, viewport={"width": 390, "height": 844}
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_the_discharge_pages_pass_wcag_checks_on_a_phone(axe_page, live_server, world):
    full_record(world)
    aftercare(world)
    summary = draft(world)
    page = axe_page
    sign_in(page, live_server, "alice")
    base = f"{live_server.url}/clients/{world.client.pk}/discharge/"
    for name, url, heading in [
        ("home", base, "Discharge and aftercare"),
        ("aftercare", base + "aftercare/", "Change the aftercare plan"),
        ("summary", f"{base}summaries/{summary.pk}/", "Discharge summary: draft"),
        ("summary-edit", f"{base}summaries/{summary.pk}/edit/", "Discharge summary (draft)"),
    ]:
        response = page.goto(url)
        assert response is not None and response.status == 200, url
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
        assert violations(page) == [], name
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 1, f"{name} runs {overflow}px off a phone's screen"
        if SHOTS:
            page.screenshot(path=os.path.join(SHOTS, f"discharge-{name}.png"), full_page=True)

"""A client wants their coach to see their drug screens: the case manager records it from the
Recovery tab, and the coach then sees the screens (and not the medications); the form passes
the automated WCAG checks."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.test_accessibility import axe_page, open_page, violations  # noqa: F401
from tests.browser.test_journey import sign_in
from tests.monitoring.recovery_helpers import all_negative, prescribe, record_screen

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_client_shares_screens_with_the_coach_who_then_sees_them(
    page, browser, live_server, world
):
    record_screen(world, results=all_negative(cocaine="positive"))
    prescribe(world)
    sign_in(page, live_server, "cody")
    page.goto(f"{live_server.url}/clients/{world.client.pk}/recovery/")
    expect(
        page.get_by_text("you do when the client chooses to share them with you")
    ).to_be_visible()
    expect(page.get_by_text("Unexpected positive for cocaine")).to_have_count(0)

    other = browser.new_context().new_page()
    sign_in(other, live_server, "alice")
    other.goto(f"{live_server.url}/clients/{world.client.pk}/recovery/")
    sharing = other.get_by_role("region", name="Shared with the coach")
    expect(sharing).to_contain_text("not drug screens or medications")
    sharing.get_by_role("link", name="Change what the client shares with their coach").click()
    other.get_by_label("Drug screen results and the days in recovery").check()
    other.get_by_role("button", name="Save").click()
    expect(other.locator("#id_agreed_on_error")).to_contain_text("Give the date")
    other.get_by_label(re.compile("^The client agreed on")).fill(timezone.localdate().isoformat())
    other.get_by_role("button", name="Save").click()
    expect(other.get_by_text("Saved what the client shares with their coach.")).to_be_visible()
    expect(other.get_by_role("region", name="Shared with the coach")).to_contain_text(
        "sees drug screen results and the days in recovery"
    )

    page.reload()
    expect(page.get_by_text("Unexpected positive for cocaine")).to_be_visible()
    expect(page.get_by_role("heading", name="Days in recovery")).to_be_visible()
    expect(page.get_by_text("Suboxone")).to_have_count(0)
    expect(page.get_by_role("link", name="Record a drug screen")).to_have_count(0)
    page.screenshot(path="/tmp/coach_sharing_coach.png", full_page=True, caret="initial")
    assert page.console_errors == []


def test_the_sharing_form_passes_the_wcag_checks(axe_page, live_server, world):  # noqa: F811
    sign_in(axe_page, live_server, "alice")
    open_page(
        axe_page,
        f"{live_server.url}/clients/{world.client.pk}/coach-sharing/",
        world.client.display_name,
    )
    assert violations(axe_page) == []

"""A form that fails says what is wrong at its top and takes the person there, however far down
a long page the form sits (the plan signature form is thousands of pixels down)."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_journey import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_failed_measure_moves_focus_to_the_list_of_problems(page, live_server, world):
    sign_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/clients/{world.client.pk}/measures/phq9/new/")
    page.get_by_role("button", name="Score it").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_be_in_viewport()
    expect(summary).to_contain_text("things to fix before this can be saved")
    # Each problem links to its question.
    summary.get_by_role("link").last.click()
    expect(page.locator("#id_item_9_0")).to_be_in_viewport()

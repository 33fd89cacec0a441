"""A case manager reassesses a client: the new assessment starts from the one signed in March,
each part taken over says so, the case manager confirms or changes parts, sees before signing
what is still unconfirmed, and signs anyway; the signed assessment says what was not confirmed."""

import pytest
from playwright.sync_api import expect

from tests.assessments.test_carry_over import signed
from tests.browser.test_journey import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOTE = "Carried over from the assessment signed Mar 3, 2026 — confirm or change."


def test_a_reassessment_starts_from_the_signed_one_and_says_what_is_unconfirmed(
    page, live_server, world
):
    signed(world)
    sign_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/clients/{world.client.pk}/")
    page.get_by_role("link", name="Assessment", exact=True).click()
    page.get_by_role("button", name="Start an assessment").click()

    expect(page.get_by_role("heading", name="Assessment (draft)")).to_be_visible()
    notes = page.locator(".carried-note").filter(has_text=NOTE)
    expect(notes).to_have_count(5)
    expect(page.get_by_label("Health conditions")).to_have_value("Hepatitis C, treated in 2025")
    expect(page.get_by_label("Substance", exact=True).first).to_have_value("opioids")
    summary = page.locator("#carried-summary")
    expect(summary).to_contain_text("5 parts carried over and not yet confirmed:")

    # Confirm the needs as they are, and change where the client lives now.
    page.get_by_label(
        "Checked with the client: keep needs in each life area as carried over"
    ).check()
    page.get_by_label("Where the client is living now").fill("Own apartment since April")
    page.get_by_role("button", name="Save draft").click()

    expect(page.get_by_text("Draft saved.")).to_be_visible()
    expect(notes).to_have_count(3)
    expect(summary).to_contain_text("3 parts carried over and not yet confirmed:")
    expect(summary).to_contain_text("Substance use, Medical history, ASAM dimensions")

    # The markers never block signing; the signed record keeps what was not confirmed.
    page.get_by_label("Level of care you confirm").select_option("2.1")
    page.get_by_role("button", name="Sign and lock").click()
    expect(page.get_by_text("Assessment signed and locked.")).to_be_visible()
    expect(
        page.get_by_text(
            "Carried over from the assessment signed Mar 3, 2026, not confirmed before signing: "
            "Substance use, Medical history, ASAM dimensions."
        )
    ).to_be_visible()
    assert page.console_errors == []

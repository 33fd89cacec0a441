"""A case manager records a consent the client signs on screen, shares a letter under it, and
after the client revokes it the same letter is refused."""

import re

import pytest
from playwright.sync_api import expect

from casebridge.consents.models import Consent
from tests.browser.test_journey import sign_in
from tests.factories import CollateralFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_consent_signed_on_screen_then_used_then_revoked(page, live_server, world):
    CollateralFactory(client=world.client, name="Rosa Rivera", relationship="family")
    sign_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/clients/{world.client.pk}/")
    page.get_by_role("link", name="Consents").click()
    page.get_by_role("link", name="Record a consent").click()

    page.get_by_label("Attendance").check()
    page.get_by_label("Who may receive it").select_option("collateral")
    page.get_by_label("Which contact").select_option(label="Rosa Rivera")
    page.get_by_label("Why it is shared").select_option("family")
    page.get_by_label("The client was told they can revoke this consent, and how").check()
    page.get_by_label("When the consent ends").select_option("date")
    page.get_by_label("End date").fill("2030-01-01")
    page.get_by_label("How the client signed").select_option("drawn")
    # Nothing drawn yet: the consent cannot go into effect.
    page.get_by_role("button", name="Save and put in effect").click()
    expect(page.locator("#id_signature_image_error")).to_have_text(
        "Have the client sign in the box."
    )

    page.get_by_label("Attendance").check()
    page.get_by_label("The client was told they can revoke this consent, and how").check()
    pad = page.locator("canvas[data-signature-pad]")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 40)
    page.mouse.down()
    page.mouse.move(box["x"] + 120, box["y"] + 90, steps=8)
    page.mouse.move(box["x"] + 220, box["y"] + 30, steps=8)
    page.mouse.up()
    page.get_by_role("button", name="Save and put in effect").click()
    expect(page.get_by_text("Consent is now in effect.")).to_be_visible()
    expect(page.get_by_alt_text(re.compile("Signature of"))).to_be_visible()
    assert Consent.objects.get().signature_image.startswith("data:image/png;base64,")

    page.get_by_role("link", name="Disclosures").click()
    page.get_by_role("link", name="Share information").click()
    page.get_by_label("Send to a contact on the record").select_option(label="Rosa Rivera")
    page.get_by_label("Attendance").check()
    page.get_by_label("Why").select_option("family")
    page.get_by_label("What is being shared, in a sentence").fill("Attendance letter for November")
    page.get_by_role("button", name="Check consent and record").click()
    expect(page.get_by_text("Notice to the recipient.")).to_be_visible()
    expect(page.get_by_text("Confidential: protected by 42 CFR Part 2")).to_be_visible()

    consent = Consent.objects.get()
    page.goto(f"{live_server.url}/clients/{world.client.pk}/consents/{consent.pk}/")
    page.get_by_label("How the client said so").select_option("phone")
    page.get_by_role("button", name="Revoke consent").click()
    expect(page.get_by_text("Consent revoked.")).to_be_visible()

    page.goto(f"{live_server.url}/clients/{world.client.pk}/disclosures/new/")
    page.get_by_label("Send to a contact on the record").select_option(label="Rosa Rivera")
    page.get_by_label("Attendance").check()
    page.get_by_label("Why").select_option("family")
    page.get_by_label("What is being shared, in a sentence").fill("Attendance letter for December")
    page.get_by_role("button", name="Check consent and record").click()
    expect(page.get_by_role("heading", name="Not shared: no consent covers this")).to_be_visible()
    expect(page.get_by_text(re.compile(r"Consent \d+ is revoked\."))).to_be_visible()
    assert page.console_errors == []

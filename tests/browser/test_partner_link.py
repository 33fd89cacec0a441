"""The provider closes the loop: the case manager gives the provider a link from the referral's
page; the provider, in a browser that never signed in, reads the packet (the care plan the client
consented to share, not the drug screens), accepts the referral and reports how it ended; the
case manager sees the provider's answers on the referral. The provider's page passes the
automated WCAG checks."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_accessibility import axe_page, violations  # noqa: F401
from tests.browser.test_journey import sign_in
from tests.referrals.test_packet import GOAL, fill_record, sent_referral

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_give_a_link_and_the_provider_accepts_and_reports_the_outcome(
    browser,
    axe_page,  # noqa: F811
    live_server,
    world,
):
    referral = sent_referral(fill_record(world), ["plan"])
    # The case manager, in a context that lets the checker's script run on staff pages too.
    staff = browser.new_context(bypass_csp=True)
    page = staff.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/clients/{world.client.pk}/referrals/{referral.pk}/")
    access = page.get_by_role("region", name="Provider access")
    expect(access).to_contain_text("The provider has no link.")
    assert violations(page) == []
    access.get_by_role("link", name="Give the provider a link").click()
    page.get_by_label("The link works for (days)").fill("120")
    page.get_by_role("button", name="Make the link").click()
    expect(page.locator("#id_days_error")).to_contain_text("Give a number of days from 1 to 90.")
    assert violations(page) == []
    page.get_by_label("The link works for (days)").fill("14")
    page.get_by_role("button", name="Make the link").click()
    expect(page.get_by_role("heading", name="Copy it now: it is shown only once")).to_be_visible()
    assert violations(page) == []
    address = page.get_by_label("Link for Hope House").input_value()
    assert re.fullmatch(rf"{re.escape(live_server.url)}/partner/referrals/[\w-]{{43}}/", address)

    # The provider: a browser that never signed in.
    provider = axe_page
    response = provider.goto(address)
    assert response is not None and response.status == 200
    assert response.headers["referrer-policy"] == "strict-origin"
    expect(
        provider.get_by_role("heading", level=1, name="Referral to Recovery housing")
    ).to_be_visible()
    expect(provider.get_by_text(GOAL).first).to_be_visible()
    expect(provider.get_by_text("cocaine")).to_have_count(0)
    expect(
        provider.get_by_role("heading", name="Notice to the recipient (42 CFR 2.32)")
    ).to_be_visible()
    assert violations(provider) == []

    provider.get_by_role("button", name="Decline the referral").click()
    expect(provider.get_by_text("Say why you decline the referral.").first).to_be_visible()
    provider.get_by_role("button", name="Accept the referral").click()
    expect(provider.get_by_text("Thank you. Your answer is recorded")).to_be_visible()
    expect(provider.get_by_text("Status: Accepted")).to_be_visible()
    assert violations(provider) == []

    outcome = provider.get_by_role("form", name="How it ended")
    outcome.get_by_label("The client received the service").check()
    outcome.get_by_label("What came of it (if received)").select_option("housed")
    outcome.get_by_role("button", name="Report how it ended").click()
    expect(
        provider.get_by_role("heading", name="Thank you: your answer is recorded")
    ).to_be_visible()
    assert violations(provider) == []
    provider.goto(address)
    expect(
        provider.get_by_role("heading", name="This link has expired or was withdrawn")
    ).to_be_visible()

    page.goto(f"{live_server.url}/clients/{world.client.pk}/referrals/{referral.pk}/")
    expect(page.get_by_text("Moved in")).to_be_visible()
    expect(page.get_by_text("The provider's answer, through the provider's link")).to_have_count(2)
    expect(page.get_by_role("region", name="Provider access")).to_contain_text("Last used")
    staff.close()

"""The closed loop in a browser: the client needs housing; from the care plan the case manager
finds a recovery house in the directory, sends the referral through the consent gate and hands
the provider a link; the provider, without an account, accepts it and later reports that the
client moved in; the case manager sees the loop closed on the referral and the care plan. The
referral form and the measures page pass the automated WCAG checks."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from casebridge.directory.models import TaxonomyTerm
from casebridge.referrals.models import Referral
from tests.browser.test_accessibility import axe_page, open_page, violations  # noqa: F401
from tests.browser.test_journey import sign_in
from tests.factories import ConsentFactory
from tests.referrals.test_plan_and_directory import planned  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_housing_need_is_referred_accepted_and_closed_with_its_outcome(
    page,
    browser,
    live_server,
    planned,  # noqa: F811
):
    ConsentFactory(
        client=planned.client,
        recipient_kind="named",
        recipient_name="Bridge Housing Trust",
        purpose="treatment",
        categories=["progress"],
    )
    sign_in(page, live_server, "alice")
    page.goto(f"{live_server.url}{reverse('plan_home', args=[planned.client.pk])}")
    page.get_by_role("link", name="Make the referral").click()
    finder = page.get_by_role("search", name="Search the directory for this referral")
    expect(finder.get_by_label("Kind of service")).to_have_value(
        str(TaxonomyTerm.objects.get(organisation=None, code="housing").pk)
    )
    finder.get_by_role("button", name="Search the directory").click()
    page.get_by_role(
        "link", name=re.compile("Refer to this service.*Bridge recovery house")
    ).click()
    expect(page.get_by_text("Chosen: Bridge recovery house")).to_be_visible()
    details = page.locator("#details")
    expect(details.get_by_label("Why the client is referred")).to_have_value(
        "A place in recovery housing"
    )
    details.get_by_label("Soon (within a week)").check()
    details.get_by_label("Progress summaries").check()
    details.get_by_role("button", name="Save the draft").click()
    expect(page.get_by_text("Referral saved as a draft")).to_be_visible()
    page.get_by_role("button", name="Send the referral").click()
    expect(page.get_by_text("Referral sent.")).to_be_visible()
    page.screenshot(path="/tmp/referral_sent.png", full_page=True, caret="initial")

    partner_url = hand_over_link(page)
    provider = browser.new_context().new_page()
    provider.goto(partner_url)
    provider_accepts_and_reports_moved_in(provider)

    referral = Referral.objects.get()
    page.goto(
        f"{live_server.url}{reverse('referral_detail', args=[planned.client.pk, referral.pk])}"
    )
    expect(page.get_by_text("Moved in")).to_be_visible()
    expect(page.get_by_text("The provider's answer, through the provider's link")).to_have_count(2)
    page.goto(f"{live_server.url}{reverse('plan_home', args=[planned.client.pk])}")
    expect(page.get_by_text("Completed: moved in").first).to_be_visible()
    expect(page.get_by_role("link", name="Make the referral")).to_have_count(0)
    page.screenshot(path="/tmp/referral_plan_closed.png", full_page=True, caret="initial")
    assert page.console_errors == []


def hand_over_link(page):
    """The case manager gives the provider a link; its address is shown once."""
    expect(page.get_by_text("Progress summaries")).to_be_visible()
    page.get_by_role("region", name="Provider access").get_by_role(
        "link", name="Give the provider a link"
    ).click()
    page.get_by_role("button", name="Make the link").click()
    expect(page.get_by_role("heading", name="Copy it now: it is shown only once")).to_be_visible()
    return page.get_by_label("Link for Bridge Housing Trust").input_value()


def provider_accepts_and_reports_moved_in(provider):
    """The provider, signed in nowhere, reads the packet, accepts, and later says how it
    ended."""
    expect(provider.get_by_role("heading", level=1)).to_contain_text("Bridge recovery house")
    expect(
        provider.get_by_role("heading", name="Notice to the recipient (42 CFR 2.32)")
    ).to_be_visible()
    provider.get_by_role("button", name="Accept the referral").click()
    expect(provider.get_by_text("Status: Accepted")).to_be_visible()
    outcome = provider.get_by_role("form", name="How it ended")
    outcome.get_by_label("The client received the service").check()
    outcome.get_by_label("What came of it (if received)").select_option("housed")
    outcome.get_by_role("button", name="Report how it ended").click()
    expect(
        provider.get_by_role("heading", name="Thank you: your answer is recorded")
    ).to_be_visible()


def test_the_referral_form_passes_the_wcag_checks(axe_page, live_server, planned):  # noqa: F811
    sign_in(axe_page, live_server, "alice")
    axe_page.goto(
        f"{live_server.url}{reverse('referral_new', args=[planned.client.pk])}"
        f"?action={planned.action.key}&q="
    )
    expect(axe_page.get_by_role("heading", name="Make a referral")).to_be_visible()
    assert violations(axe_page) == []


def test_the_referral_measures_pass_the_wcag_checks(axe_page, live_server, planned):  # noqa: F811
    sign_in(axe_page, live_server, "sue")
    open_page(
        axe_page, f"{live_server.url}{reverse('referral_measures')}", "How referrals turn out"
    )
    assert violations(axe_page) == []

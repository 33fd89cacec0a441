"""A coach records a check-in with a craving spike and raises a concern; the case manager's My
Day, open all along, shows both without a reload; she works the alerts from their cards. The
pages pass the automated WCAG checks and fit a phone."""

import re

import pytest
from playwright.sync_api import expect

from casebridge.alerts.models import Alert, AlertState
from tests.browser.test_accessibility import AXE, open_page, violations
from tests.browser.test_journey import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def fast_poll(settings):
    settings.ALERTS_POLL_SECONDS = 1


def test_a_coachs_check_in_and_concern_reach_my_day_without_a_reload(
    browser, live_server, world, fast_poll
):
    alice = browser.new_context().new_page()
    alice.set_default_timeout(10_000)
    sign_in(alice, live_server, "alice")
    expect(alice.get_by_role("heading", name="My day")).to_be_visible()
    expect(alice.get_by_text("No open alerts.")).to_be_visible()

    cody = browser.new_context().new_page()
    cody.set_default_timeout(10_000)
    sign_in(cody, live_server, "cody")
    cody.goto(f"{live_server.url}/clients/{world.client.pk}/check-ins/new/")
    cody.get_by_label(re.compile(r"^Mood")).fill("4")
    cody.get_by_label(re.compile(r"^Craving")).fill("9")
    cody.get_by_label("No", exact=True).check()
    cody.get_by_label(re.compile(r"^Meetings attended")).fill("0")
    cody.get_by_label("Some trouble", exact=True).check()
    cody.get_by_role("button", name="Save the check-in").click()
    expect(cody.get_by_text("Check-in recorded.")).to_be_visible()

    cody.goto(f"{live_server.url}/clients/{world.client.pk}/alerts/")
    cody.get_by_role("link", name="I'm worried about…").click()
    cody.get_by_label("What are you worried about?").fill(
        "An old drinking friend called him twice this week"
    )
    cody.get_by_role("button", name="Pass it on").click()
    expect(cody.get_by_text("Your concern was passed on.")).to_be_visible()

    # Alice never reloads: the poll brings both.
    craving = alice.locator("article.alert-card").filter(has_text="Craving 9 of 10")
    expect(craving).to_be_visible()
    concern = alice.locator("article.alert-card").filter(has_text="old drinking friend")
    expect(concern).to_be_visible()
    expect(alice.get_by_role("heading", name=re.compile(r"^Alerts"))).to_contain_text("2")

    craving.get_by_text("Done with it?").click()
    craving.get_by_label("Resolve with a note").check()
    craving.get_by_label("What was done").fill("Called him; he went to a meeting with his sponsor")
    craving.get_by_role("button", name="Save").click()
    expect(alice.locator("article.alert-card.alert-done")).to_contain_text("Resolved")
    # The answer told the list's poll what it now holds, and the heading what is left.
    expect(alice.locator("#alerts-count")).to_have_text("1")
    resolved = Alert.objects.get(kind="craving")
    assert resolved.state == AlertState.RESOLVED and resolved.resolved_by == world.alice

    concern.get_by_text("Done with it?").click()
    concern.get_by_label("I'm on it").check()
    concern.get_by_role("button", name="Save").click()
    expect(alice.locator(f"#alert-{Alert.objects.get(kind='concern').pk}")).to_contain_text(
        "Being worked on: Alice"
    )


def test_my_day_and_the_team_today_pass_automated_wcag_checks(browser, live_server, world):
    if not AXE.exists():
        pytest.skip("axe-core is not installed (npm ci)")
    Alert.objects.create(
        client=world.client,
        kind="concern",
        key="concern-1",
        priority=2,
        title="Concern from Cody",
        facts=["Sounded low on the phone"],
        fact_on=world.client.registered_at.date(),
        act_url_name="client_overview",
        opened_at=world.client.registered_at,
    )
    found = {}
    for person, url, heading in [
        ("alice", "/my-day/", "My day"),
        ("alice", f"/clients/{world.client.pk}/alerts/", world.client.display_name),
        ("alice", "/account/notifications/", "How you hear of new alerts"),
        ("sue", "/team/today/", "The team today"),
        ("sue", f"/team/move/{world.alice.pk}/", "Move clients of Alice " + world.alice.last_name),
    ]:
        # The app's Content-Security-Policy rightly refuses injected scripts; the checker needs one.
        context = browser.new_context(bypass_csp=True)
        page = context.new_page()
        page.set_default_timeout(10_000)
        sign_in(page, live_server, person)
        open_page(page, live_server.url + url, heading)
        problems = violations(page)
        if problems:
            found[url] = problems
        context.close()
    assert not found, found

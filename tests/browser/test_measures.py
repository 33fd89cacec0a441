"""A case manager gives a PHQ-9 where the client reports thoughts of self-harm: the safety prompt
shows at once and the safety flag is on the caseload."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_journey import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ANSWERS = [
    "Several days",
    "More than half the days",
    "Several days",
    "Nearly every day",
    "Not at all",
    "Several days",
    "Not at all",
    "Not at all",
    "Several days",
]


def test_phq9_with_item_9_positive_shows_the_safety_prompt_and_flags_the_client(
    page, live_server, world
):
    sign_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/clients/{world.client.pk}/")
    page.get_by_role("link", name="Measures").click()
    page.get_by_role("link", name="Give the PHQ-9").click()
    for number, answer in enumerate(ANSWERS, start=1):
        page.get_by_role("group", name=f"{number}.").get_by_label(answer, exact=True).check()
    page.get_by_role("button", name="Score it").click()

    alert = page.get_by_role("alert").filter(has_text="Safety: act on this today")
    expect(alert).to_be_visible()
    expect(alert).to_contain_text("988")
    expect(page.get_by_role("heading", name="Depression check (PHQ-9): 9")).to_be_visible()
    expect(page.get_by_text("Mild.")).to_be_visible()
    expect(page.locator(".client-header .flag-safety")).to_be_visible()

    page.get_by_role("link", name="My caseload").click()
    row = page.locator("table.caseload tbody tr").filter(has_text="Jamie Rivera")
    expect(row.locator(".flag-safety")).to_have_text("Safety concern")
    assert page.console_errors == []


def test_cssrs_screener_asks_follow_up_questions_only_after_a_yes(page, live_server, world):
    sign_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/clients/{world.client.pk}/measures/cssrs/new/")
    follow_up = page.locator("#q-item_3")
    expect(follow_up).to_be_hidden()
    page.get_by_role("group", name="1.").get_by_label("No", exact=True).check()
    page.get_by_role("group", name="2.").get_by_label("Yes", exact=True).check()
    expect(follow_up).to_be_visible()
    for number in ("3", "4", "5"):
        page.get_by_role("group", name=f"{number}.", exact=False).first.get_by_label(
            "No", exact=True
        ).check()
    page.get_by_role("group", name="6.", exact=False).first.get_by_label("No", exact=True).check()
    expect(page.locator("#q-item_6b")).to_be_hidden()
    page.get_by_role("button", name="Score it").click()
    expect(page.get_by_text("Low risk.", exact=True)).to_be_visible()
    expect(page.get_by_role("alert").filter(has_text="Safety: act on this today")).to_be_visible()


def test_audit_drops_questions_4_to_8_when_questions_2_and_3_score_0(page, live_server, world):
    """WHO AUDIT interview version: skip to 9 and 10 when 2 and 3 together score 0."""
    sign_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/clients/{world.client.pk}/measures/audit/new/")
    follow_ups = [page.locator(f"#q-item_{number}") for number in "45678"]
    page.get_by_role("group", name="1.").get_by_label("Monthly or less", exact=True).check()
    page.get_by_role("group", name="2.").get_by_label("3 or 4", exact=True).check()
    page.get_by_role("group", name="3.").get_by_label("Never", exact=True).check()
    for question in follow_ups:
        expect(question).to_be_visible()
    page.get_by_role("group", name="4.").get_by_label("Monthly", exact=True).check()

    # "1 or 2" drinks and never six or more: questions 4 to 8 disappear and their answers go.
    page.get_by_role("group", name="2.").get_by_label("1 or 2", exact=True).check()
    for question in follow_ups:
        expect(question).to_be_hidden()
    expect(page.locator("input[name='item_4']:checked")).to_have_count(0)
    expect(page.locator("#q-item_9")).to_be_visible()
    expect(page.get_by_text("Source: Babor TF, Higgins-Biddle JC")).to_be_visible()

    page.get_by_role("group", name="9.").get_by_label("No", exact=True).check()
    page.get_by_role("group", name="10.").get_by_label(
        "Yes, during the last year", exact=True
    ).check()
    page.get_by_role("button", name="Score it").click()
    expect(page.get_by_role("heading", name="Alcohol use check (AUDIT): 5")).to_be_visible()
    expect(page.get_by_text("Lower risk.")).to_be_visible()
    assert page.console_errors == []

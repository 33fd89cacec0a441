"""A case manager signs in, registers a client, moves the case on and sees it on the timeline."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/account/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_register_a_client_move_the_stage_and_see_it_on_the_timeline(page, live_server, world):
    sign_in(page, live_server, "alice")
    expect(page.get_by_role("heading", name="My day")).to_be_visible()

    page.get_by_role("link", name="New client", exact=True).first.click()
    page.get_by_label("Legal first name").fill("Dana")
    page.get_by_label("Legal last name").fill("Okafor")
    page.get_by_label("Preferred name").fill("Dee")
    page.get_by_label("Date of birth").fill("1988-03-14")
    page.get_by_label("Phone", exact=True).fill("555-201-3344")
    page.get_by_label(re.compile(r"^Referral source \(required\)")).select_option("court")
    page.get_by_label("Program").select_option(label="Outpatient")
    page.get_by_label("Case management model").select_option("intensive")
    page.get_by_label("Opioids (heroin, fentanyl, pain pills)").check()
    page.get_by_role("button", name="Register").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Dee Okafor")
    expect(page.get_by_text(re.compile(r"Registered\. Case number RS-\d{4}-00001"))).to_be_visible()
    assert "Okafor" not in page.url and "Dana" not in page.url

    page.get_by_label("Move to").select_option("assessment")
    page.get_by_label("Why").fill("Agreed to services at first meeting")
    page.get_by_role("button", name="Move").click()
    expect(page.get_by_text("Stage changed.")).to_be_visible()
    expect(page.locator(".stage-track [aria-current=step]")).to_contain_text("Assessment")

    page.get_by_role("link", name="Timeline", exact=True).click()
    entries = page.locator(".timeline li")
    expect(entries.first).to_contain_text("Moved: Engagement → Assessment")
    expect(entries.first).to_contain_text("Agreed to services at first meeting")
    expect(entries.nth(1)).to_contain_text("Registered in Outpatient")
    assert page.console_errors == []


def test_a_refused_stage_move_and_bad_input_are_explained_beside_the_field(
    page, live_server, world
):
    sign_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/clients/new/")
    page.get_by_label("Legal first name").fill("Dana")
    page.get_by_label("Date of birth").fill("2999-01-01")
    page.get_by_role("button", name="Register").click()
    expect(page.locator("#id_date_of_birth_error")).to_have_text(
        "The date of birth cannot be in the future."
    )
    expect(page.locator("#id_legal_last_name_error")).to_have_text("This field is required.")
    expect(page.get_by_label("Legal first name")).to_have_value("Dana")


def test_the_caseload_works_on_a_phone_and_filters_as_you_type(browser, live_server, world):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    sign_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/caseload/")
    rows = page.locator("table.caseload tbody tr")
    expect(rows).to_have_count(2)
    page.get_by_label("Search").fill("jamie")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Jamie Rivera")
    assert "jamie" not in page.url
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    context.close()


def test_paging_through_a_long_caseload_keeps_the_search(page, live_server, world):
    from tests.factories import ClientFactory

    for index in range(55):
        ClientFactory(
            program=world.program,
            legal_last_name="Garcia",
            legal_first_name=f"Ana{index:02d}",
            primary_case_manager=world.alice,
            registered_by=world.ivy,
        )
    sign_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/caseload/")
    page.get_by_label("Search").fill("garcia")
    rows = page.locator("table.caseload tbody tr")
    expect(page.get_by_text("55 clients")).to_be_visible()
    expect(rows).to_have_count(50)
    page.get_by_role("button", name="Next page").click()
    expect(page.get_by_text("Page 2 of 2")).to_be_visible()
    expect(rows).to_have_count(5)
    expect(page.get_by_label("Search")).to_have_value("garcia")
    assert "garcia" not in page.url

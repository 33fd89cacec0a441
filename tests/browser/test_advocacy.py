"""A case manager helps a client apply for Medicaid: starts the application, records it as
submitted, then the agency's request for more information with its deadline, sees the deadline
on the caseload, and records the approval; the pages pass the automated WCAG checks."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from casebridge.advocacy.models import Application
from tests.browser.test_accessibility import axe_page, open_page, violations  # noqa: F401
from tests.browser.test_journey import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_medicaid_application_from_start_to_approval(page, live_server, world):
    deadline = timezone.localdate() + timedelta(days=10)
    sign_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/clients/{world.client.pk}/")
    page.get_by_role("navigation", name="Client record").get_by_role(
        "link", name="Applications"
    ).click()
    page.get_by_role("link", name="Start an application").click()
    page.get_by_label("What the client applies for").select_option("medicaid")
    page.get_by_role("button", name="Save the application").click()
    expect(page.locator("#id_agency_name_error")).to_contain_text("Name the agency or the payer")
    page.get_by_label("Agency or payer").fill("County Department of Social Services")
    page.get_by_label("How to reach them").fill("Ms. Diaz, 555-0100")
    page.get_by_role("button", name="Save the application").click()
    expect(page.get_by_role("heading", name="Medicaid", exact=True)).to_be_visible()

    step = page.get_by_role("region", name="Record what happened")
    step.get_by_label("What happened").select_option("submitted")
    step.get_by_role("button", name="Record").click()
    expect(page.get_by_text("Preparing → Submitted")).to_be_visible()

    step = page.get_by_role("region", name="Record what happened")
    step.get_by_label("What happened").select_option("more-info")
    step.get_by_role("button", name="Record").click()
    expect(page.locator("#move-detail_error")).to_contain_text("Say what the agency asked for")
    step = page.get_by_role("region", name="Record what happened")
    step.get_by_label("Details").fill("Three recent pay stubs")
    step.get_by_label("Next deadline").fill(deadline.isoformat())
    step.get_by_role("button", name="Record").click()
    expect(page.get_by_text("Submitted → More information requested")).to_be_visible()

    page.goto(f"{live_server.url}/caseload/")
    expect(page.get_by_text("Medicaid: Three recent pay stubs")).to_be_visible()
    page.goto(f"{live_server.url}/clients/{world.client.pk}/")
    # The client page's due list links to the Applications tab.
    page.get_by_role("link", name="Medicaid: Three recent pay stubs").click()
    page.get_by_role("link", name="Medicaid", exact=True).click()

    step = page.get_by_role("region", name="Record what happened")
    step.get_by_label("What happened").select_option("approved")
    step.get_by_role("button", name="Record").click()
    expect(page.get_by_text("More information requested → Approved")).to_be_visible()
    assert Application.objects.get().status == "approved"
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path="/tmp/advocacy_phone.png", full_page=True, caret="initial")
    assert page.console_errors == []


def test_the_application_pages_pass_the_wcag_checks(axe_page, live_server, world):  # noqa: F811
    from casebridge.advocacy.services import application_start

    application = application_start(
        client=world.client,
        by=world.alice,
        kind="insurance-authorization",
        agency_name="Acme Health Plan",
        level_of_care="3.5",
        next_deadline_on=timezone.localdate() + timedelta(days=3),
        next_deadline_for="Send the clinical update",
    )
    sign_in(axe_page, live_server, "alice")
    base = f"{live_server.url}/clients/{world.client.pk}/applications/"
    for url in (base, base + "new/", f"{base}{application.pk}/"):
        open_page(axe_page, url, world.client.display_name)
        assert violations(axe_page) == [], url
    # A form that failed, with its errors beside the fields.
    axe_page.get_by_role("button", name="Record").click()
    expect(axe_page.locator("#move-to_status_error")).to_contain_text("Choose what happened")
    assert violations(axe_page) == []

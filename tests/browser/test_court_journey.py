"""A drug court case manager before and at a status hearing: writes the recommendation in the
hearing's staffing report and makes its PDF for the court team, records the sanction and the
incentive the judge gave, and moves the participant up a phase; on a phone too."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from casebridge.consents.models import Disclosure
from casebridge.court.models import (
    Behaviour,
    CourtProgram,
    CourtResponse,
    Hearing,
    Participant,
    Phase,
    ScheduledResponse,
)
from casebridge.court.services import participant_enrol
from tests.browser.test_journey import sign_in
from tests.factories import ConsentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def court(world):
    court = CourtProgram.objects.create(
        organisation=world.org, program=world.program, name="Adult Drug Court", court_name="Dept 12"
    )
    Phase.objects.create(court_program=court, number=1, name="Stabilisation", min_days=30)
    Phase.objects.create(court_program=court, number=2, name="Treatment", min_days=60)
    steady = Behaviour.objects.create(court_program=court, name="Steady attendance", positive=True)
    ScheduledResponse.objects.create(
        behaviour=steady, kind="incentive", description="Praise from the bench"
    )
    use = Behaviour.objects.create(court_program=court, name="Missed a test")
    ScheduledResponse.objects.create(behaviour=use, kind="service", description="Extra session")
    participant_enrol(
        client=world.client,
        court_program=court,
        by=world.alice,
        docket_number="CR-2026-0412",
        charge_category="possession",
        track="post_plea",
        entered_on=timezone.localdate() - timedelta(days=45),
    )
    Hearing.objects.create(court_program=court, held_on=timezone.localdate(), created_by=world.sue)
    ConsentFactory(
        client=world.client,
        created_by=world.alice,
        recipient_kind="named",
        recipient_name="Dept 12",
        purpose="court",
        categories=["progress", "drug_screens"],
    )
    return court


def test_staffing_a_hearing_then_a_sanction_an_incentive_and_a_phase(
    page, live_server, world, court
):
    sign_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/clients/{world.client.pk}/court/")
    page.get_by_role("link", name="The court's hearing calendar").click()
    page.get_by_role("link", name="Staffing report").first.click()
    expect(page.get_by_role("heading", name="Jamie Rivera · docket CR-2026-0412")).to_be_visible()
    page.get_by_role("button", name="Save the recommendation").click()
    expect(page.get_by_text("Write the recommendation.").first).to_be_visible()
    page.get_by_label("Recommendation to the team").fill(
        "Missed one test: an extra session rather than a sanction."
    )
    page.get_by_role("button", name="Save the recommendation").click()
    expect(page.get_by_text("Saved: the recommendation is in the staffing report.")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("button", name="Make the PDF").click()
    assert download.value.suggested_filename.endswith(".pdf")
    assert "Rivera" not in download.value.suggested_filename
    disclosure = Disclosure.objects.get()
    assert disclosure.purpose == "court" and "extra session" in disclosure.body

    page.goto(f"{live_server.url}/clients/{world.client.pk}/court/")
    ledger = page.get_by_role("region", name="Incentives and sanctions")
    ledger.get_by_role("button", name="Record the response").click()
    expect(ledger.locator("#id_response-hearing_error")).to_contain_text("choose the hearing")
    ledger = page.get_by_role("region", name="Incentives and sanctions")
    ledger.get_by_label("Given at the hearing of").select_option(index=1)
    ledger.get_by_label("What it answers").select_option(label="Missed a test (a step back)")
    ledger.get_by_label("Kind").select_option("sanction")
    ledger.get_by_label("What the judge gave").fill("A written essay")
    ledger.get_by_role("button", name="Record the response").click()
    expect(page.get_by_text("Saved: sanction, A written essay.")).to_be_visible()
    ledger = page.get_by_role("region", name="Incentives and sanctions")
    ledger.get_by_label("Given at the hearing of").select_option(index=1)
    ledger.get_by_label("What it answers").select_option(label="Steady attendance (a step forward)")
    ledger.get_by_role("button", name="Record the response").click()
    expect(page.get_by_text("Saved: incentive, Praise from the bench.")).to_be_visible()
    expect(page.get_by_text("Incentives to sanctions so far: 1 to 1")).to_be_visible()
    assert CourtResponse.objects.count() == 2

    criteria = page.get_by_role("region", name="What moving up from phase 1 asks")
    criteria.get_by_label("Decided at the hearing of").select_option(index=0)
    criteria.get_by_role("button", name="Move up to phase 2: Treatment").click()
    expect(page.get_by_text("Saved: the participant moved up a phase.")).to_be_visible()
    expect(page.get_by_text("phase 1 to 2 · criteria met")).to_be_visible()
    assert Participant.objects.get().phase.number == 2

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/courts/{court.pk}/hearings/{Hearing.objects.get().pk}/staffing/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    # The two refused forms above answer 400, which the browser logs; nothing else may.
    refused = [e for e in page.console_errors if "status of 400" in e]
    assert len(refused) == 2 and len(page.console_errors) == 2, page.console_errors


def test_the_judge_reads_the_staffing_report_through_a_court_team_account(
    page, live_server, world, court
):
    from casebridge.accounts.models import Role
    from casebridge.court.models import CourtTeamMember, Seat
    from tests.factories import StaffFactory

    judge = StaffFactory(
        username="reyes",
        first_name="Maria",
        last_name="Reyes",
        organisation=world.org,
        role=Role.COURT_TEAM,
    )
    CourtTeamMember.objects.create(user=judge, court_program=court, seat=Seat.JUDGE)
    # The case manager names the judge's account for the participant on the Court tab.
    sign_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/clients/{world.client.pk}/court/")
    page.get_by_text("Name the court team").click()
    page.get_by_label("Maria Reyes, judge").check()
    page.get_by_role("button", name="Save the court team").click()
    expect(page.get_by_text("Maria Reyes (judge)")).to_be_visible()

    page.context.clear_cookies()
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server, "reyes")
    expect(page.get_by_role("heading", name="Adult Drug Court")).to_be_visible()
    expect(page.get_by_text("Jamie Rivera · docket CR-2026-0412")).to_be_visible()
    page.get_by_role("link", name="Staffing report").first.click()
    entry = page.get_by_role("article", name="Jamie Rivera · docket CR-2026-0412")
    expect(entry.get_by_role("heading", name="Drug tests")).to_be_visible()
    expect(
        entry.get_by_role("heading", name="Phase progress, responses and recommendation")
    ).to_be_visible()
    # Attendance was not consented to: it is not there.
    expect(entry.get_by_role("heading", name="Treatment and meetings")).to_have_count(0)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    # The record itself does not open for the judge.
    page.goto(f"{live_server.url}/clients/{world.client.pk}/")
    expect(page.get_by_text("Jamie")).to_have_count(0)
    assert Disclosure.objects.filter(disclosed_by=judge, method="account").count() == 1

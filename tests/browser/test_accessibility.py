"""Automated WCAG 2.1 A/AA checks (axe-core, installed from npm) on the main pages of each
capability and every care plan page. Axe finds about a third of accessibility problems; the
journeys in the other browser tests cover keyboard-reachable controls and labels by name."""

from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from casebridge.court.models import CourtProgram, Hearing, Participant, Phase
from casebridge.court.services import participant_enrol
from casebridge.plans import services
from casebridge.plans.models import PlanRules
from tests.browser.test_journey import sign_in
from tests.plans.helpers import ready_plan, sign_all

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture
def axe_page(browser):
    if not AXE.exists():
        pytest.skip("axe-core is not installed (npm ci)")
    # The app's Content-Security-Policy rightly refuses injected scripts; the checker needs one.
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def open_page(page, url: str, heading: str) -> None:
    """Go to the page and make sure it is the page meant: an error page or the sign-in page
    would pass axe just as well."""
    response = page.goto(url)
    assert response is not None and response.status == 200, (url, response and response.status)
    expect(page.get_by_role("heading", level=1, name=heading, exact=True)).to_be_visible()


def violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
    ]


def test_care_plan_pages_pass_automated_wcag_checks(axe_page, live_server, world):
    PlanRules.objects.create(program=world.client.program, supervisor_cosign=True)
    v1 = sign_all(ready_plan(world), world)
    services.plan_sign(plan=v1, by=world.sue, version=v1.version, role="supervisor")
    v2 = services.plan_revise(plan=v1, by=world.alice, reason="Next steps")
    base = f"{live_server.url}/clients/{world.client.pk}/plan"
    name = world.client.display_name
    pages = [
        (f"{base}/", name),
        (f"{base}/{v1.pk}/", name),
        (f"{base}/{v2.pk}/", name),
        (f"{base}/{v2.pk}/goal/new/?need={v2.problems.get().pk}", name),
        (f"{base}/{v2.pk}/action/new/?goal={v2.goals.get().pk}", name),
        (f"{base}/{v1.pk}/review/", name),
        (f"{base}/compare/", name),
        (f"{base}/{v1.pk}/print/", "My recovery plan"),
        (f"{live_server.url}/tasks/", "My tasks"),
        (f"{live_server.url}/api-tokens/", "API tokens"),
    ]
    sign_in(axe_page, live_server, "alice")
    found = {}
    for url, heading in pages:
        open_page(axe_page, url, heading)
        problems = violations(axe_page)
        if problems:
            found[url.removeprefix(live_server.url)] = problems
    assert not found, found


def test_main_pages_pass_automated_wcag_checks(axe_page, live_server, world):
    c = world.client.pk
    name = world.client.display_name
    pages = [
        ("/caseload/", "Team caseload"),
        ("/clients/new/", "New client"),
        ("/emergency-access/", "Emergency access"),
        ("/team/", "Team"),
        (f"/clients/{c}/", name),
        (f"/clients/{c}/timeline/", name),
        (f"/clients/{c}/details/", name),
        (f"/clients/{c}/contacts/", name),
        (f"/clients/{c}/consents/", name),
        (f"/clients/{c}/consents/new/", name),
        (f"/clients/{c}/disclosures/", name),
        (f"/clients/{c}/assessments/", name),
        (f"/clients/{c}/measures/", name),
        (f"/clients/{c}/measures/phq9/new/", name),
    ]
    sign_in(axe_page, live_server, "sue")
    found = {}
    for url, heading in pages:
        open_page(axe_page, live_server.url + url, heading)
        problems = violations(axe_page)
        if problems:
            found[url] = problems
    assert not found, found


def test_the_checker_does_find_problems(axe_page, live_server, world):
    """Guard against a checker that silently checks nothing."""
    sign_in(axe_page, live_server, "alice")
    open_page(axe_page, f"{live_server.url}/tasks/", "My tasks")
    axe_page.evaluate(
        "() => document.querySelector('main').append(document.createElement('input'))"
    )
    assert any(problem.startswith("label") for problem in violations(axe_page))


def test_court_pages_pass_automated_wcag_checks(axe_page, live_server, world):
    court = CourtProgram.objects.create(
        organisation=world.org, program=world.program, name="Adult Drug Court", court_name="Dept 12"
    )
    Phase.objects.create(court_program=court, number=1, name="Stabilisation", meetings_per_week=2)
    Phase.objects.create(court_program=court, number=2, name="Treatment")
    sign_in(axe_page, live_server, "alice")
    name = world.client.display_name
    found = {}
    open_page(axe_page, f"{live_server.url}/clients/{world.client.pk}/court/", name)
    expect(axe_page.get_by_label("Docket number")).to_be_visible()  # the form to enter a court
    found["enter"] = violations(axe_page)
    participant_enrol(
        client=world.client,
        court_program=court,
        by=world.alice,
        docket_number="CR-1",
        charge_category="possession",
        track="post_plea",
        entered_on=timezone.localdate(),
    )
    Hearing.objects.create(
        court_program=court, held_on=timezone.localdate(), created_by=world.alice
    )
    open_page(axe_page, f"{live_server.url}/clients/{world.client.pk}/court/", name)
    expect(axe_page.get_by_label("Decided at the hearing of")).to_be_visible()
    found["record"] = violations(axe_page)
    open_page(
        axe_page, f"{live_server.url}/courts/{court.pk}/hearings/", "Adult Drug Court: hearings"
    )
    found["hearings"] = violations(axe_page)
    hearing = Hearing.objects.get()
    open_page(
        axe_page,
        f"{live_server.url}/courts/{court.pk}/hearings/{hearing.pk}/staffing/",
        f"Staffing report: hearing of {hearing.held_on:%A, %b} {hearing.held_on.day}, "
        f"{hearing.held_on.year}",
    )
    expect(axe_page.get_by_role("button", name="Make the PDF")).to_be_visible()
    found["staffing"] = violations(axe_page)
    open_page(
        axe_page, f"{live_server.url}/courts/{court.pk}/measures/", "Adult Drug Court: measures"
    )
    found["measures"] = violations(axe_page)
    # The judge's read-only account: their court, and the hearing's report.
    from casebridge.accounts.models import Role
    from casebridge.court.models import CourtTeamMember, Seat
    from tests.factories import ConsentFactory, StaffFactory

    judge = StaffFactory(username="reyes", organisation=world.org, role=Role.COURT_TEAM)
    seat = CourtTeamMember.objects.create(user=judge, court_program=court, seat=Seat.JUDGE)
    Participant.objects.get().team_accounts.add(seat)
    ConsentFactory(
        client=world.client,
        created_by=world.alice,
        recipient_kind="named",
        recipient_name="Dept 12",
        purpose="court",
        categories=["progress", "drug_screens"],
    )
    axe_page.context.clear_cookies()
    sign_in(axe_page, live_server, "reyes")
    open_page(axe_page, f"{live_server.url}/court-team/", "Adult Drug Court")
    found["team home"] = violations(axe_page)
    open_page(
        axe_page,
        f"{live_server.url}/court-team/hearings/{hearing.pk}/",
        f"Staffing report: hearing of {hearing.held_on:%A, %b} {hearing.held_on.day}, "
        f"{hearing.held_on.year}",
    )
    expect(axe_page.get_by_text("docket CR-1")).to_be_visible()
    found["team hearing"] = violations(axe_page)
    assert not any(found.values()), found


def test_intervention_pages_pass_automated_wcag_checks(axe_page, live_server, world):
    from casebridge.family import services as family_services

    plan = family_services.plan_start(
        by=world.alice,
        program=world.program,
        first_name="Dana",
        last_name="Ruiz",
        asked_by="Ana Ruiz, mother",
        concern="Drinking every day.",
    )
    ana = family_services.participant_add(
        plan=plan, by=world.alice, name="Ana Ruiz", relationship="family", letter="Dear Dana"
    )
    sign_in(axe_page, live_server, "alice")
    found = {}
    open_page(axe_page, f"{live_server.url}/interventions/", "Interventions")
    found["list"] = violations(axe_page)
    open_page(axe_page, f"{live_server.url}/interventions/new/", "Start an intervention plan")
    found["new"] = violations(axe_page)
    open_page(
        axe_page, f"{live_server.url}/interventions/{plan.pk}/", "Intervention plan for Dana Ruiz"
    )
    for summary in ("Change the plan for the day", "Read the letters", "Add someone"):
        axe_page.get_by_text(summary, exact=True).click()
    found["plan"] = violations(axe_page)
    open_page(
        axe_page, f"{live_server.url}/interventions/{plan.pk}/people/{ana.pk}/", "Ana Ruiz's part"
    )
    found["person"] = violations(axe_page)
    assert not any(found.values()), found


def test_coaching_and_recovery_capital_pages_pass_automated_wcag_checks(
    axe_page, live_server, world
):
    from casebridge.coaching.services import coach_assign

    coach_assign(
        client=world.client,
        by=world.sue,
        coach=world.cody,
        intensity="daily",
        agreement="A call every morning.",
        started_on=timezone.localdate(),
        version=world.client.version,
    )
    found = {}
    sign_in(axe_page, live_server, "sue")
    open_page(
        axe_page,
        f"{live_server.url}/clients/{world.client.pk}/coaching/",
        world.client.display_name,
    )
    found["tab"] = violations(axe_page)
    from casebridge.assessments.services import instrument_record
    from casebridge.recovery_capital.services import tie_add

    for each in (3, 5):
        instrument_record(
            client=world.client,
            by=world.alice,
            code="barc10",
            answers={str(i): each for i in range(1, 11)},
        )
    tie_add(client=world.client, by=world.alice, kind="sponsor", name="Mike R.")
    open_page(
        axe_page,
        f"{live_server.url}/clients/{world.client.pk}/recovery-capital/",
        world.client.display_name,
    )
    for summary in ("Add to the network", "Write down their words", "Scores as a table"):
        axe_page.get_by_text(summary, exact=True).click()
    found["recovery capital"] = violations(axe_page)
    from tests.factories import CollateralFactory

    CollateralFactory(client=world.client, name="Rosa Rivera", relationship="family")
    open_page(
        axe_page, f"{live_server.url}/clients/{world.client.pk}/family/", world.client.display_name
    )
    for summary in ("Record a contact", "Record a group"):
        axe_page.get_by_text(summary, exact=True).click()
    found["family"] = violations(axe_page)
    axe_page.context.clear_cookies()
    sign_in(axe_page, live_server, "cody")
    open_page(axe_page, f"{live_server.url}/coaching/today/", "My coaching day")
    found["day"] = violations(axe_page)
    assert not any(found.values()), found

"""A case manager records a drug screen positive for fentanyl while the client takes
buprenorphine on prescription: a result for a substance not on the panel is refused beside it;
once saved, the flag is on the client header, the screen is on the timeline and the days since
last known use start again. The Recovery pages fit a phone and pass the automated WCAG checks."""

import re
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from casebridge.monitoring import services
from casebridge.monitoring.models import CheckIn
from casebridge.monitoring.models.recovery import DrugScreen
from tests.browser.test_accessibility import axe_page, open_page, violations  # noqa: F401
from tests.browser.test_journey import sign_in
from tests.monitoring.recovery_helpers import (
    all_negative,
    prescribe,
    record_meeting,
    record_screen,
    strips,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENS = "/tmp/screens"
PHONE = {"width": 390, "height": 844}
FOURTEEN_PANEL = [
    "alcohol",
    "amphetamines",
    "methamphetamine",
    "benzodiazepines",
    "buprenorphine",
    "cocaine",
    "fentanyl",
    "methadone",
    "opiates",
    "oxycodone",
    "cannabis",
    "barbiturates",
    "mdma",
    "pcp",
]


def _picture(page, name):
    # caret="initial": Playwright hides the caret with an inline style, which the CSP refuses.
    page.screenshot(path=f"{SCREENS}/{name}.png", full_page=True, caret="initial")


def horizontal_overflow(page) -> int:
    return page.evaluate(
        "() => Math.max(0, document.documentElement.scrollWidth - window.innerWidth)"
    )


def _use_reported(world, days):
    recorded = services.check_in_record(
        client=world.client,
        by=world.cody,
        mood=4,
        craving=7,
        used_since_last=True,
        use_detail="Heroin, once",
        sleep="poorly",
    )
    noon = timezone.make_aware(
        datetime.combine(timezone.localdate() - timedelta(days=days), time(12))
    )
    CheckIn.objects.filter(pk=recorded.pk).update(checked_in_at=noon)


def test_a_positive_for_fentanyl_with_buprenorphine_prescribed_flags_and_resets_the_days(
    page, live_server, world
):
    prescribe(world)  # buprenorphine, taken today
    _use_reported(world, 40)
    sign_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/clients/{world.client.pk}/")
    page.get_by_role("link", name="Recovery", exact=True).click()
    expect(page.locator(".sobriety-days")).to_contain_text("40 days since last known use")

    page.get_by_role("link", name="Record a drug screen").click()
    # Buprenorphine is expected: the client takes it today.
    expect(page.locator("input[name=expected][value=buprenorphine]")).to_be_checked()
    yesterday = timezone.localdate() - timedelta(days=1)
    page.get_by_label(re.compile(r"^Date of the screen")).fill(yesterday.isoformat())
    page.get_by_label("Specimen", exact=True).select_option("urine")
    page.get_by_label("Yes", exact=True).check()
    page.get_by_label("Point of care (instant cup").check()
    page.get_by_label("Panel", exact=True).select_option("urine_14")
    for code in FOURTEEN_PANEL:
        page.locator(f"#id_result_{code}").select_option("negative")
    page.locator("#id_result_fentanyl").select_option("positive")
    page.locator("#id_result_buprenorphine").select_option("positive")
    # Xylazine is not on the 14-panel cup: refused beside it, with the summary at the top.
    page.locator("#id_result_xylazine").select_option("negative")
    page.get_by_role("button", name="Save the screen").click()
    expect(page.locator("#id_result_xylazine_error")).to_contain_text(
        "Xylazine is not on the 14-panel urine cup"
    )
    expect(page.locator(".error-summary")).to_be_visible()
    assert not DrugScreen.objects.exists()
    _picture(page, "screen_form_refused_desktop")
    page.locator("#id_result_xylazine").select_option("")
    page.get_by_role("button", name="Save the screen").click()

    expect(page.get_by_text("Drug screen recorded.")).to_be_visible()
    flags = page.get_by_role("list", name="Flags")
    expect(flags).to_contain_text("High risk of relapse")
    expect(flags).to_contain_text("unexpected positive for fentanyl")
    expect(page.locator(".sobriety-days")).to_contain_text("1 day since last known use")
    expect(page.locator(".screen-strip")).to_contain_text("Positive")
    table = page.get_by_role("table").filter(has_text="Every drug screen")
    expect(table).to_contain_text("Unexpected positive for fentanyl")
    expect(table).to_contain_text("positive for buprenorphine as prescribed")
    screen = DrugScreen.objects.get()
    assert (screen.outcome, screen.expected) == ("positive", ["buprenorphine"])
    _picture(page, "recovery_desktop")

    page.get_by_role("link", name="Timeline").click()
    entry = page.locator(".timeline li.timeline-screen").first
    expect(entry).to_contain_text(
        f"Drug screen on {yesterday:%b} {yesterday.day}, {yesterday.year} "
        "(urine, observed, point of care): unexpected positive for fentanyl"
    )
    expect(page.locator(".timeline li.timeline-flag").first).to_contain_text(
        "Flag raised: High risk of relapse"
    )
    assert page.console_errors == []


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def _with_history(world):
    today = timezone.localdate()
    prescribe(world)
    prescribe(
        world,
        drug="Vivitrol (naltrexone extended-release)",
        use_disorder="naltrexone_xr",
        dose="380 mg injection monthly",
        started_on=today - timedelta(days=120),
        ends_on=today - timedelta(days=60),
    )
    for days in range(24, 0, -2):
        if days == 12:
            record_screen(
                world, collected_on=today - timedelta(days=days), status="missed", results={}
            )
        elif days == 8:
            strips(
                world,
                collected_on=today - timedelta(days=days),
                results={"fentanyl": "positive", "xylazine": "positive"},
            )
        elif days == 4:
            record_screen(
                world,
                collected_on=today - timedelta(days=days),
                problems=["dilute", "adulterated"],
            )
        else:
            record_screen(
                world,
                collected_on=today - timedelta(days=days),
                panel="urine_12",
                results=all_negative(
                    [
                        "amphetamines",
                        "methamphetamine",
                        "benzodiazepines",
                        "buprenorphine",
                        "cocaine",
                        "methadone",
                        "opiates",
                        "oxycodone",
                        "cannabis",
                        "barbiturates",
                        "mdma",
                        "pcp",
                    ],
                    buprenorphine="positive",
                ),
                expected=["buprenorphine"],
                custody_id=f"COC-{1000 + days}",
            )
    record_meeting(world, attended_on=today - timedelta(days=1))
    record_meeting(world, fellowship="smart", verification="self_reported")
    return DrugScreen.objects.first()


def test_the_recovery_pages_fit_a_phone(phone, live_server, world):
    screen = _with_history(world)
    sign_in(phone, live_server, "alice")
    base = f"{live_server.url}/clients/{world.client.pk}"
    for name, path in [
        ("recovery", "/recovery/"),
        ("screen_form", "/screens/new/"),
        ("screen_detail", f"/screens/{screen.pk}/"),
        ("meeting_form", "/meetings/new/"),
        ("medication_form", "/medications/new/"),
    ]:
        phone.goto(base + path)
        expect(phone.get_by_role("heading", level=1)).to_be_visible()
        assert horizontal_overflow(phone) == 0, name
        _picture(phone, f"{name}_phone")


def test_the_recovery_tab_with_history_on_a_desktop_and_for_the_coach(
    page, browser, live_server, world
):
    _with_history(world)
    sign_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/clients/{world.client.pk}/recovery/")
    expect(page.locator(".screen-strip li")).to_have_count(12)
    expect(page.locator(".screen-strip li.strip-missed")).to_contain_text("Missed")
    _picture(page, "recovery_history_desktop")
    assert page.console_errors == []

    coach = browser.new_context().new_page()
    sign_in(coach, live_server, "cody")
    coach.goto(f"{live_server.url}/clients/{world.client.pk}/recovery/")
    expect(coach.get_by_role("heading", name="Meetings attended")).to_be_visible()
    expect(coach.get_by_role("link", name="Record a meeting")).to_be_visible()
    expect(coach.locator(".screen-strip")).to_have_count(0)
    expect(coach.locator("main")).not_to_contain_text("Fentanyl")
    expect(coach.locator("main")).not_to_contain_text("Suboxone")
    _picture(coach, "recovery_coach_desktop")
    coach.context.close()


def test_the_recovery_pages_pass_automated_wcag_checks(axe_page, live_server, world):  # noqa: F811
    screen = _with_history(world)
    sign_in(axe_page, live_server, "alice")
    base = f"{live_server.url}/clients/{world.client.pk}"
    name = world.client.display_name
    found = {}
    for path in [
        "/recovery/",
        "/screens/new/",
        f"/screens/{screen.pk}/",
        f"/screens/{screen.pk}/confirm/",
        "/meetings/new/",
        "/medications/new/",
    ]:
        open_page(axe_page, base + path, name)
        problems = violations(axe_page)
        if problems:
            found[path] = problems
    assert not found, found

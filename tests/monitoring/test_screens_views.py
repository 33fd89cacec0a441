"""The Recovery tab and the drug screen pages: what each person sees, errors beside their
fields, the 409 of a confirmation entered twice, audited reads, and refusals as "not found"."""

import pytest
from django.urls import reverse

from casebridge.audit.models import AuditEvent
from casebridge.clients.models import ClientFlag
from casebridge.monitoring.models.recovery import DrugScreen
from tests.dates import resolved_all, tomorrow_iso
from tests.monitoring.recovery_helpers import (
    all_negative,
    days_ago,
    prescribe,
    record_meeting,
    record_screen,
    strips,
    today,
)


def url(name, world, client=None, **kwargs):
    return reverse(name, kwargs={"client_id": (client or world.client).pk, **kwargs})


def screen_post(**overrides):
    data = {
        "collected_on": today().isoformat(),
        "status": "tested",
        "specimen": "urine",
        "observed": "yes",
        "method": "point_of_care",
        "panel": "urine_5",
        "result_amphetamines": "negative",
        "result_cocaine": "negative",
        "result_cannabis": "negative",
        "result_opiates": "negative",
        "result_pcp": "negative",
    }
    data.update(overrides)
    return data


def error_beside(response, field_id):
    body = response.content.decode()
    assert f'id="{field_id}_error"' in body, f"no error beside {field_id}"
    assert "error-summary" in body
    return body.split(f'id="{field_id}_error">', 1)[1].split("</p>", 1)[0]


def test_the_case_manager_sees_days_the_strip_the_table_and_every_button(client, world):
    strips(
        world, collected_on=days_ago(12), results={"fentanyl": "positive", "xylazine": "negative"}
    )
    record_screen(world, collected_on=days_ago(5))
    prescribe(world)
    record_meeting(world)
    client.force_login(world.alice)
    body = client.get(url("recovery", world)).content.decode()
    assert "12</strong> days since last known use" in body
    assert f"(since {days_ago(11):%b} {days_ago(11).day}, {days_ago(11).year})" in body
    assert 'class="screen-strip"' in body and "strip-positive" in body and "strip-negative" in body
    assert "Unexpected positive for fentanyl" in body
    assert "Suboxone" in body and "MOUD" in body
    assert "Tuesday step study" in body
    for button in ["Record a drug screen", "Record a meeting", "Record a medication"]:
        assert button in body
    assert AuditEvent.objects.filter(object_type="recovery_record", action="view").exists()


def test_a_coach_sees_meetings_but_no_substance_medication_or_sobriety(client, world):
    strips(world, results={"fentanyl": "positive", "xylazine": "negative"})
    prescribe(world)
    record_meeting(world)
    client.force_login(world.cody)
    body = client.get(url("recovery", world)).content.decode()
    assert "Tuesday step study" in body and "Record a meeting" in body
    for clinical in [
        "Fentanyl",
        "fentanyl",
        "Suboxone",
        "since last known use",
        "screen-strip",
        "Record a drug screen",
        "Record a medication",
    ]:
        assert clinical not in body, clinical
    # The flag shows without its note; the timeline holds the meeting but not the screen.
    assert "High risk of relapse" in body
    timeline = client.get(url("client_timeline", world)).content.decode()
    assert "Meeting on" in timeline and "Drug screen" not in timeline and "Suboxone" not in timeline
    screen = DrugScreen.objects.get()
    for name, kwargs in [
        ("screen_new", {}),
        ("screen_detail", {"screen_id": screen.pk}),
        ("screen_confirm", {"screen_id": screen.pk}),
        ("medication_new", {}),
    ]:
        assert client.get(url(name, world, **kwargs)).status_code == 404, name


def test_the_screen_form_ticks_what_the_client_takes_today(client, world):
    prescribe(world)
    client.force_login(world.alice)
    body = client.get(url("screen_new", world)).content.decode()
    ticked = body.split('value="buprenorphine"', 1)[1].split(">", 1)[0]
    assert "checked" in ticked
    assert 'for="id_result_fentanyl"' in body and "Not on the panel" in body


def test_recording_an_unexpected_positive_raises_the_flag_and_resets_the_days(client, world):
    record_screen(world, collected_on=days_ago(20))
    prescribe(world)
    client.force_login(world.alice)
    fourteen = {
        f"result_{code}": "negative"
        for code in [
            "alcohol",
            "amphetamines",
            "methamphetamine",
            "benzodiazepines",
            "cocaine",
            "methadone",
            "opiates",
            "oxycodone",
            "cannabis",
            "barbiturates",
            "mdma",
            "pcp",
        ]
    }
    response = client.post(
        url("screen_new", world),
        screen_post(
            collected_on=days_ago(1).isoformat(),
            panel="urine_14",
            expected=["buprenorphine"],
            result_fentanyl="positive",
            result_buprenorphine="positive",
            **fourteen,
        ),
        follow=True,
    )
    body = response.content.decode()
    assert "Unexpected positive: the “High risk of relapse” flag is on the client" in body
    assert ClientFlag.objects.get(client=world.client, kind="high_risk").cleared_at is None
    assert "1</strong> day since last known use" in body
    screen = DrugScreen.objects.get(collected_on=days_ago(1))
    assert screen.outcome == "positive" and screen.expected == ["buprenorphine"]


def test_a_result_for_a_substance_not_on_the_panel_is_refused_beside_it(client, world):
    client.force_login(world.alice)
    response = client.post(url("screen_new", world), screen_post(result_fentanyl="positive"))
    assert response.status_code == 200
    assert "Fentanyl is not on the 5-panel urine" in error_beside(response, "id_result_fentanyl")
    assert not DrugScreen.objects.exists()


def test_a_result_on_a_refused_screen_is_refused_beside_it(client, world):
    client.force_login(world.alice)
    response = client.post(url("screen_new", world), screen_post(status="refused"))
    assert "A refused screen has no results" in error_beside(response, "id_result_cocaine")
    assert not ClientFlag.objects.exists()


def test_a_refused_screen_without_results_is_recorded(client, world):
    client.force_login(world.alice)
    response = client.post(
        url("screen_new", world),
        {"collected_on": today().isoformat(), "status": "refused", "specimen": "urine"},
    )
    assert response.status_code == 302
    assert DrugScreen.objects.get().outcome == "refused"


@pytest.mark.parametrize(
    ("overrides", "field_id", "words"),
    [
        (
            {"collected_on": tomorrow_iso},
            "id_collected_on",
            "cannot be dated in the future",
        ),
        ({"collected_on": "1850-01-01"}, "id_collected_on", "between 1900 and 2100"),
        ({"panel": ""}, "id_panel", "Choose the panel"),
        ({"specimen": ""}, "id_specimen", "Choose the specimen"),
        ({"result_pcp": ""}, "id_result_pcp", "Give the result for PCP"),
        ({"result_pcp": "²"}, "id_result_pcp", "Select a valid choice"),
        ({"custody_id": "A" * 61}, "id_custody_id", "Keep it under 60"),
    ],
)
def test_what_a_screen_cannot_be_is_refused_beside_the_field(
    client, world, overrides, field_id, words
):
    client.force_login(world.alice)
    response = client.post(url("screen_new", world), screen_post(**resolved_all(overrides)))
    assert response.status_code == 200
    assert words in error_beside(response, field_id)
    assert not DrugScreen.objects.exists()


def test_the_screen_page_lists_each_substance_and_its_reading_is_audited(client, world):
    screen = record_screen(world, results=all_negative(cocaine="positive"), custody_id="COC-7")
    client.force_login(world.sue)
    body = client.get(url("screen_detail", world, screen_id=screen.pk)).content.decode()
    assert "COC-7" in body and "Cocaine" in body and "Record the lab's confirmation" in body
    assert AuditEvent.objects.filter(
        object_type="drug_screen", object_id=str(screen.pk), action="view"
    ).exists()


def test_a_confirmation_is_recorded_and_one_entered_twice_is_a_409(client, world):
    screen = record_screen(world, results=all_negative(cocaine="positive"))
    client.force_login(world.alice)
    page = url("screen_confirm", world, screen_id=screen.pk)
    body = client.get(page).content.decode()
    assert 'name="confirmation_cocaine"' in body and 'name="confirmation_opiates"' not in body
    response = client.post(page, {"version": "1", "confirmation_cocaine": "negative"})
    assert response.status_code == 302
    screen.refresh_from_db()
    assert (screen.outcome, screen.version) == ("negative", 2)
    response = client.post(page, {"version": "1", "confirmation_cocaine": "positive"})
    assert response.status_code == 409
    assert "Someone recorded a confirmation" in response.content.decode()
    screen.refresh_from_db()
    assert screen.outcome == "negative"


def test_another_clients_screen_is_not_found_under_this_client(client, world):
    other = record_screen(world, client=world.engagement_client)
    client.force_login(world.alice)
    assert client.get(url("screen_detail", world, screen_id=other.pk)).status_code == 404
    assert client.get(url("screen_confirm", world, screen_id=other.pk)).status_code == 404


@pytest.mark.parametrize("name", ["recovery", "screen_new", "meeting_new", "medication_new"])
@pytest.mark.parametrize("person", ["alice", "sue", "bob", "ivy", "cody"])
def test_another_organisations_client_is_not_found_for_everyone(client, world, name, person):
    client.force_login(getattr(world, person))
    response = client.get(reverse(name, kwargs={"client_id": world.foreign_client.pk}))
    assert response.status_code == 404


def test_another_organisations_screen_is_not_found_even_with_its_id(client, world):
    screen = record_screen(world, client=world.foreign_client, by=world.charlie)
    client.force_login(world.sue)
    for name in ["screen_detail", "screen_confirm"]:
        foreign = reverse(
            name, kwargs={"client_id": world.foreign_client.pk, "screen_id": screen.pk}
        )
        mine = reverse(name, kwargs={"client_id": world.client.pk, "screen_id": screen.pk})
        assert client.get(foreign).status_code == 404
        assert client.get(mine).status_code == 404

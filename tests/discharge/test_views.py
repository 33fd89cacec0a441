"""The Discharge tab, per person: who writes, who reads the aftercare plan (the coach too), who
reads the clinical summary, who is not told the record exists; the PDF in English and Spanish;
stale edits and the consent gate as the pages show them."""

import pytest
from django.urls import reverse

from casebridge.audit.models import AuditEvent
from casebridge.consents.models import Disclosure
from casebridge.discharge import services
from casebridge.discharge.models import AftercarePlan, DischargeSummary
from tests.discharge.helpers import CARE, aftercare, draft, final, full_record
from tests.factories import ConsentFactory
from tests.pdf_text import pdf_words


def _url(name, world, summary=None):
    args = [world.client.pk] + ([summary.pk] if summary else [])
    return reverse(name, args=args)


def _aftercare_post(**changes):
    return {
        "version": 0,
        "starts_on": "2026-12-10",
        "weekly_weeks": "4",
        "fortnightly_weeks": "8",
        "monthly_months": "9",
        "relapse_prevention": "Call my sponsor",
        **CARE,
    } | changes


def test_a_case_manager_writes_the_aftercare_plan_and_sees_the_check_in_dates(client, world):
    client.force_login(world.alice)
    page = client.get(_url("aftercare_edit", world)).content.decode()
    assert 'for="id_weekly_weeks"' in page and 'for="id_relapse_prevention"' in page
    response = client.post(_url("aftercare_edit", world), _aftercare_post())
    assert response.status_code == 302
    home = client.get(_url("discharge_home", world)).content.decode()
    assert "Riverside Clinic, Tuesdays 6 pm" in home and "Call my sponsor" in home
    assert "December 17, 2026" in home  # a week after the discharge day
    assert "988" in home  # no safety plan: the 988 line all the same


def test_the_tab_shows_on_the_clients_pages(client, world):
    client.force_login(world.cody)
    body = client.get(reverse("client_overview", args=[world.client.pk])).content.decode()
    assert _url("discharge_home", world) in body


def test_a_stale_aftercare_edit_shows_the_conflict_and_keeps_the_typing(client, world):
    aftercare(world)
    aftercare(world, by=world.sue, monthly_months=2)
    client.force_login(world.alice)
    response = client.post(
        _url("aftercare_edit", world), _aftercare_post(version=1, relapse_prevention="My words")
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert "Someone else changed" in body and "sue" in body and "My words" in body
    assert AftercarePlan.objects.get().monthly_months == 2


def test_the_coach_reads_the_aftercare_plan_but_not_the_summary(client, world):
    aftercare(world)
    summary = final(world)
    client.force_login(world.cody)
    home = client.get(_url("discharge_home", world))
    assert home.status_code == 200
    body = home.content.decode()
    assert "Riverside Clinic, Tuesdays 6 pm" in body
    assert "Discharge summaries" not in body and "Change the aftercare plan" not in body
    for name in ("discharge_summary_detail", "discharge_summary_pdf", "discharge_summary_edit"):
        assert client.get(_url(name, world, summary)).status_code == 404
    assert client.get(_url("aftercare_edit", world)).status_code == 404
    assert client.post(_url("discharge_summary_start", world)).status_code == 404


@pytest.mark.parametrize("person", ["bob", "otto", "charlie", "ivy", "ada", "aud"])
def test_anyone_else_is_told_there_is_nothing_there(client, world, person):
    aftercare(world)
    summary = final(world)
    client.force_login(getattr(world, person))
    assert client.get(_url("discharge_home", world)).status_code == 404
    assert client.get(_url("discharge_summary_detail", world, summary)).status_code == 404
    assert client.get(_url("discharge_summary_pdf", world, summary)).status_code == 404
    assert client.post(_url("discharge_summary_send", world, summary)).status_code == 404


def test_a_case_manager_drafts_edits_and_signs_a_summary(client, world):
    full_record(world)
    aftercare(world)
    client.force_login(world.alice)
    response = client.post(_url("discharge_summary_start", world))
    summary = DischargeSummary.objects.get()
    assert response.url == _url("discharge_summary_edit", world, summary)
    response = client.post(
        _url("discharge_summary_edit", world, summary),
        {
            "version": summary.version,
            "discharged_on": summary.discharged_on.isoformat(),
            "recommendations": "Keep seeing Dr. Lee",
        },
    )
    assert response.status_code == 302
    detail = client.get(_url("discharge_summary_detail", world, summary)).content.decode()
    for words in (
        "Keep seeing Dr. Lee",
        "Riverside IOP",
        "Hope House",
        "I want my own place: Achieved",
        "Depression check (PHQ-9): 18",
        "down 9, better",
        "Buprenorphine, 8 mg daily",
        "Sister Ana 555-0101",
        "This is a draft",
    ):
        assert words in detail, words
    assert AuditEvent.objects.filter(object_type="discharge_summary", action="view").exists()
    summary.refresh_from_db()
    refused = client.post(
        _url("discharge_summary_finalise", world, summary), {"version": summary.version}
    )
    assert refused.status_code == 400 and "Tick the box" in refused.content.decode()
    response = client.post(
        _url("discharge_summary_finalise", world, summary),
        {"version": summary.version, "confirm": "on"},
    )
    assert response.status_code == 302
    summary.refresh_from_db()
    assert summary.is_final
    locked = client.get(_url("discharge_summary_edit", world, summary))
    assert locked.status_code == 302


def test_a_stale_summary_edit_is_refused_with_a_clear_message(client, world):
    summary = draft(world)
    client.force_login(world.alice)
    response = client.post(
        _url("discharge_summary_edit", world, summary),
        {
            "version": summary.version - 1,
            "discharged_on": summary.discharged_on.isoformat(),
            "recommendations": "Mine",
        },
    )
    assert response.status_code == 409
    assert "Someone else changed this discharge summary" in response.content.decode()
    summary.refresh_from_db()
    assert summary.recommendations != "Mine"


@pytest.mark.parametrize(
    "lang, expected",
    [
        (
            "en",
            [
                "My discharge summary",
                "The care I received",
                "My aftercare plan",
                "If I am in crisis",
            ],
        ),
        (
            "es",
            [
                "Mi resumen de alta",
                "La atención que recibí",
                "Mi plan de cuidado después del alta",
                "Si estoy en crisis",
                "Ambulatorio intensivo",
                "Lograda",
            ],
        ),
    ],
)
def test_the_pdf_in_english_and_spanish_keeps_the_clients_words(client, world, lang, expected):
    full_record(world)
    aftercare(world)
    summary = final(world)
    client.force_login(world.alice)
    response = client.get(_url("discharge_summary_pdf", world, summary), {"lang": lang})
    assert response["Content-Type"] == "application/pdf"
    assert "Rivera" not in response["Content-Disposition"]
    words = pdf_words(response.content)
    for text in expected:
        assert text in words, text
    assert "Call my sponsor when I crave" in words and "Keep going to NA twice a week" in words
    assert AuditEvent.objects.filter(
        action="print", object_type="discharge_summary", changes__language=lang
    ).exists()
    assert not Disclosure.objects.exists()  # the client's own copy is no disclosure


def test_the_pdf_follows_the_clients_language(client, world):
    world.client.preferred_language = "Spanish"
    world.client.save()
    summary = final(world)
    client.force_login(world.alice)
    response = client.get(_url("discharge_summary_pdf", world, summary))
    assert "Mi resumen de alta" in pdf_words(response.content)


def _send_post(**changes):
    return {
        "recipient": "Riverside Clinic",
        "purpose": "treatment",
        "method": "faxed",
        "description": "",
    } | changes


def test_sending_without_a_consent_says_so_in_plain_words_and_sends_nothing(client, world):
    summary = final(world)
    client.force_login(world.alice)
    response = client.post(_url("discharge_summary_send", world, summary), _send_post())
    assert response.status_code == 400
    body = response.content.decode()
    assert "No consent covers this disclosure" in body and "Riverside Clinic" in body
    assert not Disclosure.objects.exists()


def test_sending_with_a_consent_records_the_disclosure(client, world):
    ConsentFactory(
        client=world.client,
        categories=["discharge"],
        recipient_kind="named",
        recipient_name="Riverside Clinic",
        purpose="treatment",
        created_by=world.alice,
    )
    summary = final(world)
    client.force_login(world.alice)
    response = client.post(_url("discharge_summary_send", world, summary), _send_post())
    assert response.status_code == 302
    disclosure = Disclosure.objects.get()
    assert disclosure.categories == ["discharge"] and "My discharge summary" in disclosure.body
    body = client.get(_url("discharge_summary_detail", world, summary)).content.decode()
    assert "Riverside Clinic, faxed" in body


def test_the_pdf_takes_the_longest_words_and_any_script_and_an_unknown_language(client, world):
    aftercare(world, relapse_prevention="x" * 199 + "\n" + "Позвонить спонсору 電話")
    summary = draft(world, recommendations="y" * 2000)
    client.force_login(world.alice)
    response = client.get(_url("discharge_summary_pdf", world, summary), {"lang": "xx"})
    assert response.status_code == 200
    assert "My discharge summary" in pdf_words(response.content)
    page = client.get(_url("discharge_summary_detail", world, summary)).content.decode()
    assert "Позвонить спонсору 電話" in page  # the page shows every script as typed


def test_a_summary_of_another_client_is_not_found(client, world):
    other = services.summary_start(client=world.engagement_client, by=world.alice)
    client.force_login(world.alice)
    url = reverse("discharge_summary_detail", args=[world.client.pk, other.pk])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    "lang, expected",
    [
        ("en", ["My aftercare plan", "Care that continues", "Outpatient care: Riverside Clinic"]),
        ("es", ["Mi plan de cuidado después del alta", "Atención ambulatoria: Riverside Clinic"]),
    ],
)
def test_the_aftercare_plan_prints_on_its_own_for_the_client(client, world, lang, expected):
    client.force_login(world.alice)
    assert client.get(_url("aftercare_pdf", world)).status_code == 404  # none written yet
    aftercare(world)
    response = client.get(_url("aftercare_pdf", world), {"lang": lang})
    words = pdf_words(response.content)
    for text in expected:
        assert text in words, text
    assert "Call my sponsor when I crave" in words
    assert AuditEvent.objects.filter(action="print", object_type="aftercare_plan").exists()
    client.force_login(world.cody)
    assert client.get(_url("aftercare_pdf", world)).status_code == 404


def test_signing_a_summary_someone_changed_since_shows_their_change_and_signs_nothing(
    client, world
):
    summary = draft(world)
    opened = summary.version
    services.summary_save(
        summary=summary,
        by=world.sue,
        version=summary.version,
        discharged_on=summary.discharged_on,
        recommendations="Sue's recommendation",
    )
    client.force_login(world.alice)
    response = client.post(
        _url("discharge_summary_finalise", world, summary), {"version": opened, "confirm": "on"}
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert "Read it again before signing" in body and "sue" in body
    assert "Sue&#x27;s recommendation" in body
    summary.refresh_from_db()
    assert not summary.is_final

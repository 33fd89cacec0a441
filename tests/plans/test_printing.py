"""The plan the client takes home: plain words, in English or Spanish, the client's own words
kept as written."""

from datetime import date

import pytest
from django.urls import reverse

from casebridge.plans.printing import language_for, long_date
from tests.pdf_text import pdf_words
from tests.plans.helpers import ready_plan, sign_all


@pytest.mark.parametrize(
    ("preferred", "asked", "expected"),
    [
        ("English", None, "en"),
        ("Spanish", None, "es"),
        ("Español", None, "es"),
        ("Vietnamese", None, "en"),
        ("Spanish", "en", "en"),
        ("English", "es", "es"),
        ("English", "fr", "en"),
    ],
)
def test_the_language_follows_the_client_unless_staff_choose(preferred, asked, expected):
    class Client:
        preferred_language = preferred

    assert language_for(Client(), asked) == expected


def test_dates_read_naturally_in_each_language():
    assert long_date(date(2027, 2, 3), "en") == "February 3, 2027"
    assert long_date(date(2027, 2, 3), "es") == "3 de febrero de 2027"


def test_a_spanish_speaking_client_gets_the_plan_in_spanish(client, world):
    world.client.preferred_language = "Spanish"
    world.client.save()
    plan = sign_all(ready_plan(world), world)
    client.force_login(world.alice)
    url = reverse("plan_print", kwargs={"client_id": world.client.pk, "plan_id": plan.pk})
    page = client.get(url).content.decode()
    assert '<html lang="es">' in page
    assert "Mi plan de recuperación" in page and "Mi meta: “I want my own place”" in page
    assert "mi administrador(a) de caso, cada semana" in page
    english = client.get(url, {"lang": "en"}).content.decode()
    assert "My recovery plan" in english and "my case manager, every week" in english
    pdf = client.get(
        reverse("plan_pdf", kwargs={"client_id": world.client.pk, "plan_id": plan.pk}),
        {"lang": "es"},
    )
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = pdf_words(pdf.content)
    # fpdf2's core fonts draw Latin-1, so the Spanish accents survive; curly quotes become plain.
    assert "Mi plan de recuperación" in text
    assert 'Mi meta: "I want my own place"' in text
    assert "Si está en crisis, llame o envíe un mensaje de texto al 988." in text
    assert "My recovery plan" not in text

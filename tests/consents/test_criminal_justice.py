"""A consent given as a condition of a court, probation or parole referral (42 CFR 2.35): its
own elements (a court or probation purpose, the condition until which it cannot be revoked, the
court team it names), no revocation before its condition is recorded as met, and the gate lets
it cover the members of the court team it names."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from casebridge.consents import services
from casebridge.consents.gate import DisclosureRequest, Recipient, decide, missing_elements
from casebridge.consents.models import Consent
from tests.factories import CollateralFactory, ConsentFactory

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


@pytest.fixture
def team(world):
    return {
        "judge": CollateralFactory(client=world.client, name="Judge Reyes", relationship="judge"),
        "officer": CollateralFactory(
            client=world.client, name="Officer Nguyen", relationship="probation"
        ),
        "mother": CollateralFactory(client=world.client, name="Rosa Rivera"),
    }


def court_consent(world, team, **changes):
    fields = {
        "client": world.client,
        "created_by": world.alice,
        "recipient_kind": "named",
        "recipient_name": "Dept 12",
        "purpose": "court",
        "categories": ["progress", "drug_screens"],
        "expiry_kind": "event",
        "expiry_event": "Final disposition of the case",
        "criminal_justice": True,
        "irrevocable_until": "final disposition of case CR-2026-0412",
        "court_team": [team["judge"].pk, team["officer"].pk],
        **changes,
    }
    return ConsentFactory(**fields)


def test_its_own_elements_are_required(world, team):
    complete = court_consent(world, team)
    assert missing_elements(complete) == {}
    lacking = Consent(
        **{
            f.name: getattr(complete, f.name)
            for f in Consent._meta.concrete_fields
            if f.name not in {"id", "irrevocable_until", "court_team", "purpose"}
        },
        purpose="family",
    )
    missing = missing_elements(lacking)
    assert set(missing) == {"irrevocable_until", "court_team", "purpose"}
    assert "final disposition" in missing["irrevocable_until"]
    lacking.recipient_kind = "tpo"
    assert "recipient_kind" in missing_elements(lacking)


def test_it_cannot_be_revoked_before_its_condition_is_met(world, team):
    consent = court_consent(world, team, signed_on=today() - timedelta(days=30))
    with pytest.raises(ValidationError, match="cannot be revoked until final disposition"):
        services.consent_revoke(consent=consent, by=world.alice, revoked_on=today(), method="phone")
    assert Consent.objects.get(pk=consent.pk).status == "active"
    with pytest.raises(ValidationError, match="met already"):
        services.consent_condition_met(
            consent=consent, by=world.alice, met_on=today() + timedelta(days=1)
        )
    services.consent_condition_met(
        consent=consent, by=world.alice, met_on=today() - timedelta(days=2)
    )
    with pytest.raises(ValidationError, match="cannot be revoked until"):
        services.consent_revoke(
            consent=consent, by=world.alice, revoked_on=today() - timedelta(days=3), method="phone"
        )
    revoked = services.consent_revoke(
        consent=consent, by=world.alice, revoked_on=today(), method="phone"
    )
    assert revoked.status == "revoked"


def test_an_ordinary_consent_is_revoked_as_before(world, team):
    consent = ConsentFactory(client=world.client, created_by=world.alice)
    services.consent_revoke(consent=consent, by=world.alice, revoked_on=today(), method="phone")
    assert Consent.objects.get(pk=consent.pk).status == "revoked"


def test_the_gate_covers_the_court_team_it_names_and_no_one_else(world, team):
    consent = court_consent(world, team)

    def allowed(collateral, name="Someone"):
        request = DisclosureRequest(
            Recipient(name=name, collateral_id=collateral.pk if collateral else None),
            frozenset({"progress"}),
            "court",
            today(),
        )
        return decide([consent], request).allowed

    assert allowed(team["judge"]) and allowed(team["officer"])
    assert not allowed(team["mother"])
    assert allowed(None, name="dept 12")  # the named recipient, as before


def test_the_consent_page_says_why_it_cannot_be_revoked_and_records_the_condition(
    client, world, team
):
    consent = court_consent(world, team, signed_on=today() - timedelta(days=10))
    client.force_login(world.alice)
    url = reverse("consent_detail", args=[world.client.pk, consent.pk])
    page = client.get(url).content.decode()
    assert "The client cannot take it back yet" in page and "Revoke consent" not in page
    assert "Judge Reyes (Judge or court)" in page and "Rosa Rivera" not in page
    refused = client.post(
        reverse("consent_revoke", args=[world.client.pk, consent.pk]),
        {"revoked_on": today().isoformat(), "method": "phone"},
        follow=True,
    )
    assert "cannot be revoked until" in refused.content.decode()
    assert Consent.objects.get(pk=consent.pk).status == "active"
    client.post(
        reverse("consent_condition", args=[world.client.pk, consent.pk]),
        {"met_on": today().isoformat()},
    )
    page = client.get(url).content.decode()
    assert "it may now be revoked" in page and "Revoke consent" in page


def test_the_form_records_a_court_referral_consent_with_its_team(client, world, team):
    client.force_login(world.alice)
    data = {
        "patient_name": "Jamie Rivera",
        "disclosing_party": "Riverside",
        "categories": ["progress"],
        "recipient_kind": "named",
        "recipient_name": "Dept 12",
        "purpose": "court",
        "right_to_revoke_explained": "on",
        "expiry_kind": "event",
        "expiry_event": "Final disposition",
        "signature_method": "verbal",
        "witness_name": "Sue Staff",
        "signed_by": "Jamie Rivera",
        "signed_on": today().isoformat(),
        "language": "en",
        "criminal_justice": "on",
        "activate": "1",
    }
    url = reverse("consent_new", args=[world.client.pk])
    page = client.post(url, data).content.decode()
    assert "Say until when the client cannot take it back" in page
    assert "Tick the members of the court team" in page
    assert not Consent.objects.exists()
    other = CollateralFactory(name="Not Theirs")
    page = client.post(url, {**data, "court_team": [other.pk]}).content.decode()
    assert "Choose the court team from the client" in page and not Consent.objects.exists()
    response = client.post(
        url,
        {
            **data,
            "irrevocable_until": "the final disposition of the case",
            "court_team": [team["judge"].pk, team["officer"].pk],
        },
    )
    assert response.status_code == 302
    saved = Consent.objects.get()
    assert saved.status == "active" and saved.criminal_justice
    assert saved.court_team == sorted([team["judge"].pk, team["officer"].pk])
    printed = client.get(reverse("consent_print", args=[world.client.pk, saved.pk, "en"]))
    assert (
        "I cannot take it back until the final disposition of the case" in printed.content.decode()
    )

"""Recording, revoking and using consents through the services and pages."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from casebridge.audit.models import AuditEvent
from casebridge.consents import services
from casebridge.consents.gate import Recipient
from casebridge.consents.models import Consent, Disclosure
from tests.factories import CollateralFactory, ConsentFactory

TODAY = timezone.localdate


@pytest.fixture
def mother(world):
    return CollateralFactory(client=world.client, name="Rosa Rivera", relationship="family")


def complete_post(mother, **changes):
    data = {
        "patient_name": "Jamie Rivera",
        "disclosing_party": "Riverside",
        "categories": ["attendance", "progress"],
        "recipient_kind": "collateral",
        "recipient_collateral": mother.pk,
        "purpose": "family",
        "right_to_revoke_explained": "on",
        "expiry_kind": "date",
        "expires_on": (TODAY() + timedelta(days=180)).isoformat(),
        "signature_method": "verbal",
        "witness_name": "Sue Staff",
        "signed_by": "Jamie Rivera",
        "signed_on": TODAY().isoformat(),
        "language": "en",
        "activate": "1",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_a_complete_consent_goes_into_effect_and_is_audited(client, world, mother):
    client.force_login(world.alice)
    response = client.post(f"/clients/{world.client.pk}/consents/new/", complete_post(mother))
    consent = Consent.objects.get()
    assert response.status_code == 302
    assert consent.status == "active" and consent.recipient_collateral == mother
    assert AuditEvent.objects.filter(object_type="consent", action="create").exists()
    assert world.client.timeline.filter(kind="consent", summary__contains="Rosa Rivera").exists()


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("categories", "Tick the information the client agrees to share."),
        ("recipient_collateral", "Choose which contact may receive it."),
        ("purpose", "Say why the information is shared."),
        ("right_to_revoke_explained", "Tell the client they can revoke this consent and how"),
        ("expires_on", "Give the date the consent ends."),
        ("witness_name", "Name the witness to the verbal consent."),
        ("signed_on", "Give the date it was signed."),
    ],
)
def test_an_incomplete_consent_cannot_go_into_effect_and_the_form_says_what_is_missing(
    client, world, mother, missing, message
):
    client.force_login(world.alice)
    response = client.post(
        f"/clients/{world.client.pk}/consents/new/", complete_post(mother, **{missing: None})
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body
    assert "The consent is not active yet" in body
    assert not Consent.objects.exists()


def test_an_incomplete_consent_can_be_kept_as_a_draft_and_finished_later(client, world, mother):
    client.force_login(world.alice)
    draft_post = complete_post(mother, signed_on=None, activate=None)
    draft_post["draft"] = "1"
    client.post(f"/clients/{world.client.pk}/consents/new/", draft_post)
    draft = Consent.objects.get()
    assert draft.status == "draft"
    finished = complete_post(mother, version=str(draft.version))
    response = client.post(f"/clients/{world.client.pk}/consents/{draft.pk}/edit/", finished)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "active"


def test_a_consent_in_effect_is_never_edited(world, mother):
    consent = ConsentFactory(
        client=world.client, recipient_collateral=mother, created_by=world.alice
    )
    with pytest.raises(services.ConsentLocked):
        services.consent_save(
            client=world.client, by=world.alice, activate=False, consent=consent, purpose="court"
        )


def test_no_expiry_is_refused_unless_the_consent_is_for_tpo(world, mother):
    with pytest.raises(ValidationError) as refused:
        services.consent_save(
            client=world.client,
            by=world.alice,
            activate=True,
            **{**_fields(mother), "expiry_kind": "none", "expires_on": None},
        )
    assert "expiry_kind" in refused.value.error_dict


def _fields(mother):
    return {
        "categories": ["attendance"],
        "recipient_kind": "collateral",
        "recipient_collateral": mother,
        "purpose": "family",
        "right_to_revoke_explained": True,
        "expiry_kind": "date",
        "expires_on": TODAY() + timedelta(days=30),
        "signature_method": "verbal",
        "witness_name": "Sue",
        "signed_by": "Jamie Rivera",
        "signed_on": TODAY(),
    }


def share(world, mother, categories=("attendance",), purpose="family"):
    return services.disclosure_record(
        client=world.client,
        by=world.alice,
        recipient=Recipient(name=mother.name, collateral_id=mother.pk),
        categories=set(categories),
        purpose=purpose,
        description="Attendance this month",
        method="printed",
    )


def test_a_covered_disclosure_is_recorded_with_its_consent(world, mother):
    consent = ConsentFactory(
        client=world.client, recipient_collateral=mother, created_by=world.alice
    )
    disclosure = share(world, mother)
    assert disclosure.consent == consent
    assert AuditEvent.objects.filter(
        action="export", object_type="disclosure", client_id=world.client.pk
    ).exists()


def test_revocation_stops_further_disclosures_at_once(world, mother):
    consent = ConsentFactory(
        client=world.client, recipient_collateral=mother, created_by=world.alice
    )
    share(world, mother)
    services.consent_revoke(consent=consent, by=world.alice, revoked_on=TODAY(), method="phone")
    with pytest.raises(services.DisclosureRefused):
        share(world, mother)
    assert Disclosure.objects.count() == 1
    assert AuditEvent.objects.filter(object_type="disclosure_refused").count() == 1


def test_an_expired_consent_stops_by_itself(world, mother):
    ConsentFactory(
        client=world.client,
        recipient_collateral=mother,
        expires_on=TODAY() - timedelta(days=1),
        created_by=world.alice,
    )
    with pytest.raises(services.DisclosureRefused) as refused:
        share(world, mother)
    assert "expired" in refused.value.decision.reasons[0]


def test_an_event_ends_a_consent(world, mother):
    consent = ConsentFactory(
        client=world.client,
        recipient_collateral=mother,
        expiry_kind="event",
        expires_on=None,
        expiry_event="end of treatment",
        created_by=world.alice,
    )
    share(world, mother)
    services.consent_event_happened(consent=consent, by=world.alice, happened_on=TODAY())
    with pytest.raises(services.DisclosureRefused):
        share(world, mother)


def test_the_refusal_page_says_what_consent_is_needed(client, world, mother):
    client.force_login(world.alice)
    response = client.post(
        f"/clients/{world.client.pk}/disclosures/new/",
        {
            "recipient_collateral": mother.pk,
            "categories": ["drug_screens"],
            "purpose": "family",
            "description": "Screens for October",
            "method": "printed",
        },
    )
    body = response.content.decode()
    assert "Not shared: no consent covers this" in body
    assert (
        "naming Rosa Rivera as recipient, covering drug screen results, for family involvement in recovery"
        in body
    )
    assert not Disclosure.objects.exists()


def test_the_letter_carries_the_redisclosure_notice_and_the_part2_label(client, world, mother):
    ConsentFactory(client=world.client, recipient_collateral=mother, created_by=world.alice)
    client.force_login(world.alice)
    response = client.post(
        f"/clients/{world.client.pk}/disclosures/new/",
        {
            "recipient_collateral": mother.pk,
            "categories": ["attendance"],
            "purpose": "family",
            "description": "Attendance letter",
            "body": "Jamie attended all sessions.",
            "method": "printed",
        },
        follow=True,
    )
    body = response.content.decode()
    assert "protected by Federal confidentiality rules (42 CFR part 2)" in body
    assert "Confidential: protected by 42 CFR Part 2" in body
    assert "Jamie attended all sessions." in body


def test_emergency_disclosure_needs_the_facts_the_rule_asks_for(world):
    with pytest.raises(ValidationError) as refused:
        services.disclosure_record_emergency(
            client=world.client,
            by=world.alice,
            personnel="",
            facility="",
            nature="",
            description="x",
            method="phone",
        )
    assert set(refused.value.error_dict) == {"personnel", "facility", "nature"}
    recorded = services.disclosure_record_emergency(
        client=world.client,
        by=world.alice,
        personnel="Dr. Osei",
        facility="County ER",
        nature="Unresponsive after suspected overdose",
        description="Medication list",
        method="phone",
    )
    assert recorded.is_emergency and recorded.consent is None


def test_the_accounting_lists_exactly_the_disclosures_made_in_the_period(client, world, mother):
    ConsentFactory(client=world.client, recipient_collateral=mother, created_by=world.alice)
    first = share(world, mother)
    second = share(world, mother)
    old = share(world, mother)
    Disclosure.objects.filter(pk=old.pk).update(
        disclosed_at=timezone.now() - timedelta(days=4 * 365)
    )
    other_client_consent = ConsentFactory(
        client=world.engagement_client,
        recipient_name="X",
        recipient_kind="named",
        purpose="court",
        created_by=world.alice,
    )
    services.disclosure_record(
        client=world.engagement_client,
        by=world.alice,
        recipient=Recipient(name="X"),
        categories={"attendance"},
        purpose="court",
        description="other",
        method="printed",
    )
    assert other_client_consent.disclosures.count() == 1
    client.force_login(world.alice)
    response = client.get(f"/clients/{world.client.pk}/disclosures/accounting/")
    assert [d.pk for d in response.context["disclosures"]] == [first.pk, second.pk]
    assert AuditEvent.objects.filter(object_type="accounting_of_disclosures").exists()


def test_consents_ending_within_30_days_show_as_due_on_the_client_and_caseload(
    client, world, mother
):
    ConsentFactory(
        client=world.client,
        recipient_collateral=mother,
        expires_on=TODAY() + timedelta(days=20),
        created_by=world.alice,
    )
    ConsentFactory(
        client=world.engagement_client,
        recipient_name="Far",
        recipient_kind="named",
        expires_on=TODAY() + timedelta(days=90),
        created_by=world.alice,
    )
    client.force_login(world.alice)
    page = client.get(f"/clients/{world.client.pk}/").content.decode()
    assert "Consent renewal" in page
    rows = {c.pk: items for c, items in client.get("/caseload/").context["rows"]}
    assert "Consent renewal" in [i.label for i in rows[world.client.pk]]
    assert "Consent renewal" not in [i.label for i in rows[world.engagement_client.pk]]


def test_printable_forms_exist_in_english_and_spanish(client, world, mother):
    consent = ConsentFactory(
        client=world.client, recipient_collateral=mother, created_by=world.alice
    )
    client.force_login(world.alice)
    english = client.get(
        f"/clients/{world.client.pk}/consents/{consent.pk}/print/en/"
    ).content.decode()
    spanish = client.get(
        f"/clients/{world.client.pk}/consents/{consent.pk}/print/es/"
    ).content.decode()
    assert (
        "Consent to share my information" in english
        and "You can take back (revoke) this consent" in english
    )
    assert (
        "Consentimiento para compartir mi información" in spanish
        and "Puede retirar (revocar)" in spanish
    )
    revocation = client.get(
        f"/clients/{world.client.pk}/consents/{consent.pk}/revocation-form/es/"
    ).content.decode()
    assert "Retiro (revoco) mi consentimiento" in revocation
    assert (
        client.get(f"/clients/{world.client.pk}/consents/{consent.pk}/print/fr/").status_code == 404
    )


def test_fhir_exports_can_label_part2_data():
    from casebridge.clients.part2 import fhir_meta_security

    codes = {
        (label["system"].rsplit("/", 1)[-1], label["code"])
        for label in fhir_meta_security()["security"]
    }
    assert codes == {("v3-Confidentiality", "R"), ("v3-ActCode", "42CFRPart2")}


def test_the_contacts_tab_shows_a_release_only_while_a_consent_is_in_effect(client, world, mother):
    client.force_login(world.alice)
    url = f"/clients/{world.client.pk}/contacts/"
    assert dict((c.pk, r) for c, r in client.get(url).context["collaterals"])[mother.pk] is None
    consent = ConsentFactory(
        client=world.client, recipient_collateral=mother, created_by=world.alice
    )
    release = dict((c.pk, r) for c, r in client.get(url).context["collaterals"])[mother.pk]
    assert release.startswith("Family involvement in recovery, until ")
    services.consent_revoke(consent=consent, by=world.alice, revoked_on=TODAY(), method="phone")
    assert dict((c.pk, r) for c, r in client.get(url).context["collaterals"])[mother.pk] is None


def test_two_people_saving_one_draft_consent_get_the_shared_conflict_naming_the_first(
    client, world, mother
):
    client.force_login(world.alice)
    draft_post = complete_post(mother, signed_on=None, activate=None)
    draft_post["draft"] = "1"
    client.post(f"/clients/{world.client.pk}/consents/new/", draft_post)
    draft = Consent.objects.get()
    opened = str(draft.version)
    first = complete_post(mother, signed_on=None, activate=None, version=opened)
    first["draft"] = "1"
    first["purpose"] = "treatment"
    assert (
        client.post(f"/clients/{world.client.pk}/consents/{draft.pk}/edit/", first).status_code
        == 302
    )
    client.force_login(world.sue)
    second = complete_post(mother, version=opened)
    response = client.post(f"/clients/{world.client.pk}/consents/{draft.pk}/edit/", second)
    assert response.status_code == 409
    body = response.content.decode()
    assert "Someone else changed this while you were working" in body
    assert "alice" in body
    draft.refresh_from_db()
    assert draft.status == "draft" and draft.purpose == "treatment"

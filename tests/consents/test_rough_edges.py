"""Rough edges a case manager hit: revocation offers only the ways a client can say so today."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from casebridge.consents import services
from casebridge.consents.forms import RevokeForm
from casebridge.consents.models import Consent
from tests.factories import ConsentFactory


@pytest.fixture
def consent(world):
    return ConsentFactory(
        client=world.client, recipient_kind="named", recipient_name="X", created_by=world.alice
    )


def test_revocation_does_not_offer_the_client_portal_that_does_not_exist(client, world, consent):
    assert "portal" not in dict(RevokeForm().fields["method"].choices)
    client.force_login(world.alice)
    page = client.get(f"/clients/{world.client.pk}/consents/{consent.pk}/").content.decode()
    assert "client portal" not in page
    refused = RevokeForm(data={"revoked_on": timezone.localdate(), "method": "portal"})
    assert not refused.is_valid() and "method" in refused.errors


def test_the_service_refuses_a_revocation_through_the_portal(world, consent):
    with pytest.raises(ValidationError):
        services.consent_revoke(
            consent=consent, by=world.alice, revoked_on=timezone.localdate(), method="portal"
        )
    assert Consent.objects.get(pk=consent.pk).status == "active"


def test_a_consent_revoked_through_the_portal_before_still_reads(client, world, consent):
    Consent.objects.filter(pk=consent.pk).update(
        status="revoked", revoked_on=timezone.localdate(), revocation_method="portal"
    )
    client.force_login(world.alice)
    page = client.get(f"/clients/{world.client.pk}/consents/{consent.pk}/").content.decode()
    assert page.count("Through the client portal") == 1


def test_a_revocation_shows_how_in_words(client, world, consent):
    services.consent_revoke(
        consent=consent, by=world.alice, revoked_on=timezone.localdate(), method="in person"
    )
    client.force_login(world.alice)
    page = client.get(f"/clients/{world.client.pk}/consents/{consent.pk}/").content.decode()
    assert "In person" in page

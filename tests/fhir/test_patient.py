"""The client as a FHIR R4 Patient: valid R4, only what the record holds, labelled as Part 2
data, served to those who may open the record (emergency access is not for the API), audited,
and the Patient every other resource's `subject` names."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from casebridge.access.models import BreakGlassGrant
from casebridge.audit.models import AuditEvent
from casebridge.clients.fhir import patient
from tests.fhir.validator import assert_valid


def url(client_id):
    return reverse("api_patient_fhir", kwargs={"client_id": client_id})


def test_the_client_is_a_valid_minimal_r4_patient(world):
    world.client.preferred_name = "Jay"
    resource = patient(world.client)
    assert_valid(resource)
    assert resource["id"] == str(world.client.pk)
    assert resource["identifier"] == [
        {
            "use": "usual",
            "type": {
                "coding": [
                    {"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "MR"}
                ],
                "text": "Case number",
            },
            "system": f"urn:casebridge:organisation:{world.org.pk}:case-number",
            "value": world.client.case_number,
        }
    ]
    assert resource["name"] == [
        {"use": "official", "family": "Rivera", "given": ["Jamie"]},
        {"use": "usual", "family": "Rivera", "given": ["Jay"]},
    ]
    assert resource["birthDate"] == world.client.date_of_birth.isoformat()
    assert {label["code"] for label in resource["meta"]["security"]} == {"R", "42CFRPart2"}


def test_the_patient_says_nothing_the_record_does_not_hold(world):
    resource = patient(world.client)
    # No sex or gender is recorded, so none is sent; contact details are not for matching.
    assert set(resource) == {"resourceType", "id", "meta", "identifier", "name", "birthDate"}
    assert len(resource["name"]) == 1


def test_organisations_number_their_clients_in_their_own_identifier_system(world):
    ours = patient(world.client)["identifier"][0]["system"]
    theirs = patient(world.foreign_client)["identifier"][0]["system"]
    assert ours != theirs


@pytest.mark.parametrize(
    ("person", "status"),
    [("alice", 200), ("sue", 200), ("cody", 404), ("bob", 404), ("ivy", 404), ("charlie", 404)],
)
def test_the_patient_is_served_to_those_who_may_open_the_record(client, world, person, status):
    client.force_login(getattr(world, person))
    response = client.get(url(world.client.pk))
    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"] == "application/fhir+json"
        assert response.json() == patient(world.client)
    else:
        assert world.client.case_number not in response.content.decode()


def test_signed_out_callers_are_told_to_sign_in(client, world):
    assert client.get(url(world.client.pk)).status_code == 401


def test_emergency_access_does_not_open_the_api(client, world):
    BreakGlassGrant.objects.create(
        user=world.bob,
        client=world.client,
        reason="Client called in crisis",
        expires_at=timezone.now() + timedelta(minutes=30),
    )
    client.force_login(world.bob)
    assert client.get(f"/clients/{world.client.pk}/").status_code == 200
    assert client.get(url(world.client.pk)).status_code == 404


def test_reading_the_patient_and_being_refused_are_both_audited(client, world):
    client.force_login(world.alice)
    client.get(url(world.client.pk))
    assert AuditEvent.objects.filter(
        actor=world.alice, action="view", client_id=world.client.pk, object_type="client"
    ).exists()
    client.force_login(world.bob)
    client.get(url(world.client.pk))
    assert AuditEvent.objects.filter(
        actor=world.bob, action="refused", client_id=world.client.pk
    ).exists()

"""Registering a client: validation in plain words, duplicates offered first, case numbers."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from casebridge.audit.models import AuditEvent
from casebridge.clients import services
from casebridge.clients.models import Client, StageChange, TimelineEntry
from casebridge.clients.validation import clean_phone
from tests.dates import resolved, tomorrow_iso

VALID = {
    "legal_first_name": "Dana",
    "legal_last_name": "Okafor",
    "preferred_name": "Dee",
    "pronouns": "she/her",
    "date_of_birth": "1988-03-14",
    "phone": "(555) 201-3344",
    "email": "dana@example.org",
    "address": "12 Oak St",
    "preferred_language": "English",
    "emergency_contact_name": "Ray Okafor",
    "emergency_contact_phone": "555-201-9999",
    "referral_source": "court",
    "referral_source_detail": "County drug court",
    "primary_substances": ["opioids", "alcohol"],
    "case_management_model": "intensive",
    "goals_in_own_words": "Keep my job and my apartment.",
}


def post(client, world, **changes):
    data = VALID | {"program": world.program.pk} | changes
    return client.post("/clients/new/", data)


def test_a_case_manager_registers_a_client_and_becomes_primary(client, world):
    client.force_login(world.alice)
    response = post(client, world)
    created = Client.objects.get(legal_last_name="Okafor")
    assert response.status_code == 302 and response.url == f"/clients/{created.pk}/"
    assert created.stage == "engagement"
    assert created.primary_case_manager == world.alice
    assert created.phone == "5552013344"
    assert created.primary_substances == ["opioids", "alcohol"]
    assert created.case_number == f"RS-{timezone.localdate().year}-00001"
    assert StageChange.objects.get(client=created).to_stage == "engagement"
    assert TimelineEntry.objects.get(client=created).summary == "Registered in Outpatient"
    event = AuditEvent.objects.get(client_id=created.pk, action="create")
    assert event.changes["legal_last_name"] == [None, "Okafor"]


def test_case_numbers_count_up_per_organisation(world):
    first = services.client_register(
        by=world.alice,
        **(
            VALID
            | {
                "program": world.program,
                "date_of_birth": date(1988, 3, 14),
                "primary_substances": [],
            }
        ),
    )
    second = services.client_register(
        by=world.alice,
        **(
            VALID
            | {
                "program": world.program,
                "legal_last_name": "Other",
                "date_of_birth": date(1990, 1, 1),
                "primary_substances": [],
            }
        ),
    )
    assert first.case_number.endswith("00001") and second.case_number.endswith("00002")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "date_of_birth",
            tomorrow_iso,
            "cannot be in the future",
        ),
        ("date_of_birth", "1890-01-01", "over 120"),
        ("date_of_birth", "not a date", "Enter a valid date"),
        ("phone", "555-12", "10-digit phone number"),
        ("phone", "call me maybe", "can only have digits"),
        ("email", "dana-at-example", "valid email"),
        ("legal_first_name", "", "This field is required"),
        ("referral_source", "", "This field is required"),
        ("primary_substances", ["glue"], "Tick only substances from the list"),
        ("referral_source", "a rumour", "Choose one of the ways listed"),
        ("case_management_model", "magic", "Choose one of the models listed"),
        ("program", "", "Choose the program they join"),
    ],
)
def test_bad_input_is_refused_beside_the_field_and_nothing_is_saved(
    client, world, field, value, message
):
    client.force_login(world.alice)
    response = post(client, world, **{field: resolved(value)})
    assert response.status_code == 200
    body = response.content.decode()
    error = body.split(f'id="id_{field}_error">', 1)[1].split("</p>", 1)[0]
    assert message in error and "Select a valid choice" not in body
    assert not Client.objects.filter(legal_last_name="Okafor").exists()


def test_a_program_outside_the_users_programs_is_refused(client, world):
    client.force_login(world.alice)
    response = post(client, world, program=world.other_program.pk)
    body = response.content.decode()
    assert 'id="id_program_error">Choose one of your programs.</p>' in body
    assert not Client.objects.filter(legal_last_name="Okafor").exists()


def test_a_possible_duplicate_is_offered_before_a_second_record_is_made(client, world):
    client.force_login(world.alice)
    response = post(
        client,
        world,
        legal_first_name="jamie",
        legal_last_name="RIVERA",
        date_of_birth=world.client.date_of_birth.isoformat(),
    )
    body = response.content.decode()
    assert "may already be registered" in body
    assert world.client.case_number in body
    assert Client.objects.filter(legal_last_name__iexact="rivera").count() == 1
    confirmed = post(
        client,
        world,
        legal_first_name="jamie",
        legal_last_name="RIVERA",
        date_of_birth=world.client.date_of_birth.isoformat(),
        confirm_new_person="on",
    )
    assert confirmed.status_code == 302
    assert Client.objects.filter(legal_last_name__iexact="rivera").count() == 2


def test_another_organisations_namesake_is_not_offered_as_a_duplicate(world):
    from casebridge.clients.queries import possible_duplicates

    found = possible_duplicates(
        organisation_id=world.org.pk,
        first_name=world.foreign_client.legal_first_name,
        last_name=world.foreign_client.legal_last_name,
        date_of_birth=world.foreign_client.date_of_birth,
    )
    assert found == []


def test_a_failure_halfway_leaves_nothing_behind(world, monkeypatch):
    def explode(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "_timeline", lambda *a, **k: explode())
    with pytest.raises(RuntimeError):
        services.client_register(
            by=world.alice,
            **(
                VALID
                | {
                    "program": world.program,
                    "date_of_birth": date(1988, 3, 14),
                    "primary_substances": [],
                }
            ),
        )
    assert not Client.objects.filter(legal_last_name="Okafor").exists()
    assert not StageChange.objects.filter(client__legal_last_name="Okafor").exists()
    world.org.refresh_from_db()
    assert world.org.last_case_sequence == 0


def test_coaches_cannot_register_clients(world):
    with pytest.raises(ValidationError, match="cannot register"):
        services.client_register(
            by=world.cody,
            **(
                VALID
                | {
                    "program": world.program,
                    "date_of_birth": date(1988, 3, 14),
                    "primary_substances": [],
                }
            ),
        )


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("555-201-3344", "5552013344"),
        ("1 (555) 201 3344", "5552013344"),
        ("+44 20 7946 0958", "+442079460958"),
        ("", ""),
    ],
)
def test_phone_numbers_are_kept_as_digits(raw, stored):
    assert clean_phone(raw) == stored

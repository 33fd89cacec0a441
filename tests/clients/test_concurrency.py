"""Two people editing the same record: the second save is refused and shows what changed."""

import pytest

from casebridge.audit.versions import VersionConflict
from casebridge.clients import services
from casebridge.clients.models import Client, Collateral


def edit_data(client_record, **changes):
    data = {
        "legal_first_name": client_record.legal_first_name,
        "legal_last_name": client_record.legal_last_name,
        "preferred_name": client_record.preferred_name,
        "pronouns": client_record.pronouns,
        "date_of_birth": client_record.date_of_birth.isoformat(),
        "phone": client_record.phone,
        "email": client_record.email,
        "address": client_record.address,
        "preferred_language": client_record.preferred_language,
        "emergency_contact_name": "",
        "emergency_contact_phone": "",
        "referral_source": client_record.referral_source,
        "referral_source_detail": "",
        "case_management_model": client_record.case_management_model,
        "goals_in_own_words": "",
        "program": client_record.program_id,
        "version": client_record.version,
    }
    return data | changes


def test_a_stale_edit_is_refused_and_names_the_other_persons_change(client, world):
    opened_version = world.client.version
    services.client_update(
        client=world.client, by=world.sue, version=opened_version, phone="5550009999"
    )
    client.force_login(world.alice)
    response = client.post(
        f"/clients/{world.client.pk}/details/",
        edit_data(world.client, phone="5551112222", version=opened_version),
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Someone else changed this record" in body
    assert "sue" in body and "5550009999" in body
    stored = Client.objects.get(pk=world.client.pk)
    assert stored.phone == "5550009999"
    assert stored.version == opened_version + 1


def test_an_edit_on_the_current_version_saves_and_bumps_the_version(client, world):
    client.force_login(world.alice)
    response = client.post(
        f"/clients/{world.client.pk}/details/", edit_data(world.client, preferred_name="JJ")
    )
    assert response.status_code == 302
    stored = Client.objects.get(pk=world.client.pk)
    assert stored.preferred_name == "JJ" and stored.version == world.client.version + 1
    assert stored.timeline.first().summary == "Details updated: preferred name"


def test_a_stage_move_from_a_stale_page_is_refused(world):
    services.client_update(client=world.client, by=world.sue, version=1, pronouns="they/them")
    with pytest.raises(VersionConflict) as stale:
        services.case_move_stage(
            client=world.client, to_stage="review", by=world.alice, reason="Review due", version=1
        )
    assert stale.value.changes[0].fields["pronouns"] == ["", "they/them"]
    assert Client.objects.get(pk=world.client.pk).stage == "monitoring"


def test_a_stale_collateral_edit_is_refused(world):
    collateral = Collateral.objects.create(
        client=world.client, name="Pat", relationship="family", phone="5550001111"
    )
    services.collateral_update(collateral=collateral, by=world.sue, version=1, phone="5550002222")
    with pytest.raises(VersionConflict):
        services.collateral_update(
            collateral=collateral, by=world.alice, version=1, phone="5550003333"
        )
    assert Collateral.objects.get(pk=collateral.pk).phone == "5550002222"


def test_reassignment_keeps_history(world):
    updated = services.client_assign(
        client=world.client,
        by=world.sue,
        role="primary_case_manager",
        to_user=world.bob,
        reason="Alice on leave",
        version=world.client.version,
    )
    assert updated.primary_case_manager == world.bob
    change = updated.assignment_changes.get()
    assert (change.from_user, change.to_user, change.changed_by, change.reason) == (
        world.alice,
        world.bob,
        world.sue,
        "Alice on leave",
    )


def test_a_coach_cannot_be_made_primary_case_manager(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="case manager"):
        services.client_assign(
            client=world.client,
            by=world.sue,
            role="primary_case_manager",
            to_user=world.cody,
            reason="",
            version=world.client.version,
        )


@pytest.mark.django_db(transaction=True)
def test_the_same_person_registered_five_times_at_once_is_registered_once(world):
    """Five identical "new client" forms posted at the same moment, in five real transactions:
    one record, four warnings about a possible duplicate."""
    import threading
    from datetime import date

    from django.db import connection, connections

    from tests.clients.test_register import VALID

    if connection.vendor != "postgresql":
        pytest.skip("Parallel transactions need PostgreSQL; CI runs this suite on it too")
    fields = VALID | {
        "program": world.program,
        "date_of_birth": date(1988, 3, 14),
        "primary_substances": [],
    }
    start = threading.Barrier(5)
    outcomes: list[str] = []

    def register() -> None:
        try:
            start.wait()
            services.client_register(by=world.alice, **fields)
            outcomes.append("registered")
        except services.DuplicateClientError:
            outcomes.append("duplicate")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=register) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["duplicate"] * 4 + ["registered"]
    assert Client.objects.filter(legal_last_name=fields["legal_last_name"]).count() == 1

"""The medication pages: recording a prescription, the next one, stopping one, the 409 of a
change made elsewhere, and refusals as "not found"."""

from datetime import timedelta

import pytest
from django.urls import reverse

from casebridge.monitoring.models.recovery import Medication
from tests.monitoring.recovery_helpers import days_ago, prescribe, today


def url(name, world, client=None, **kwargs):
    return reverse(name, kwargs={"client_id": (client or world.client).pk, **kwargs})


def medication_post(**overrides):
    data = {
        "drug": "Methadone oral solution",
        "use_disorder": "methadone",
        "dose": "80 mg daily, observed",
        "prescriber": "Dr. Ortiz",
        "pharmacy": "Harbor Opioid Treatment Program",
        "started_on": days_ago(3).isoformat(),
        "ends_on": (today() + timedelta(days=27)).isoformat(),
    }
    data.update(overrides)
    return data


def test_a_case_manager_records_methadone_and_it_is_moud_on_the_tab(client, world):
    client.force_login(world.alice)
    response = client.post(url("medication_new", world), medication_post(), follow=True)
    body = response.content.decode()
    assert "Medication recorded." in body
    assert "Methadone oral solution" in body and "MOUD" in body
    medication = Medication.objects.get()
    assert medication.screens_as == ["methadone"]


def test_a_prescription_that_runs_out_before_it_starts_is_refused_beside_the_date(client, world):
    client.force_login(world.alice)
    response = client.post(
        url("medication_new", world), medication_post(ends_on=days_ago(10).isoformat())
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="id_ends_on_error"' in body and "runs out after it starts" in body
    assert not Medication.objects.exists()


def test_the_next_prescription_starts_from_the_last(client, world):
    medication = prescribe(world)
    client.force_login(world.alice)
    page = url("medication_new", world) + f"?after={medication.pk}"
    body = client.get(page).content.decode()
    starts = (medication.ends_on + timedelta(days=1)).isoformat()
    assert "Record the next prescription of Suboxone" in body
    assert f'value="{starts}"' in body
    response = client.post(
        page, medication_post(drug=medication.drug, started_on=starts, ends_on="")
    )
    assert response.status_code == 302
    assert Medication.objects.count() == 2


@pytest.mark.parametrize("after", ["999999", "²", "abc"])
def test_a_next_prescription_of_nothing_known_is_not_found(client, world, after):
    client.force_login(world.alice)
    assert client.get(url("medication_new", world) + f"?after={after}").status_code == 404


def test_the_next_prescription_of_another_clients_medication_is_not_found(client, world):
    other = prescribe(world, client=world.engagement_client)
    client.force_login(world.alice)
    assert client.get(url("medication_new", world) + f"?after={other.pk}").status_code == 404
    assert client.get(url("medication_edit", world, medication_id=other.pk)).status_code == 404


def test_stopping_from_the_page_needs_a_reason_beside_it(client, world):
    medication = prescribe(world)
    client.force_login(world.alice)
    page = url("medication_edit", world, medication_id=medication.pk)
    data = medication_post(
        drug=medication.drug,
        use_disorder="buprenorphine",
        started_on=medication.started_on.isoformat(),
        ends_on=medication.ends_on.isoformat(),
        version="1",
        stopped_on=today().isoformat(),
    )
    response = client.post(page, data)
    assert response.status_code == 200
    assert 'id="id_stop_reason_error"' in response.content.decode()
    response = client.post(page, data | {"stop_reason": "Prescriber tapered it off"}, follow=True)
    assert (
        "Stopped" in response.content.decode()
        and "Prescriber tapered it off" in response.content.decode()
    )
    medication.refresh_from_db()
    assert (medication.stopped_on, medication.version) == (today(), 2)


def test_a_change_made_elsewhere_meanwhile_is_a_409_that_keeps_what_was_typed(client, world):
    medication = prescribe(world)
    client.force_login(world.alice)
    page = url("medication_edit", world, medication_id=medication.pk)
    data = medication_post(
        drug=medication.drug,
        use_disorder="buprenorphine",
        started_on=medication.started_on.isoformat(),
        ends_on=medication.ends_on.isoformat(),
        version="1",
    )
    assert client.post(page, data | {"dose": "12 mg once a day"}).status_code == 302
    response = client.post(page, data | {"adherence_notes": "Took every dose this week"})
    assert response.status_code == 409
    body = response.content.decode()
    assert "Someone changed this medication" in body and "Took every dose this week" in body
    assert 'name="version" value="2"' in body


@pytest.mark.parametrize("person", ["cody", "bob", "charlie"])
def test_only_clinical_staff_of_the_client_open_the_medication_pages(client, world, person):
    medication = prescribe(world)
    client.force_login(getattr(world, person))
    assert client.get(url("medication_new", world)).status_code == 404
    assert client.get(url("medication_edit", world, medication_id=medication.pk)).status_code == 404

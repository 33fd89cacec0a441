"""A stay can be at a service of the agency's directory: searched above the stay form and
chosen; the stay keeps the service and its name. Another agency's service cannot be chosen."""

from django.utils import timezone

from casebridge.directory.models import Service, Taxonomy, TaxonomyTerm
from casebridge.directory.taxonomy import load_builtin_taxonomy
from casebridge.transitions.models import Episode
from tests.factories import OrganisationFactory
from tests.referrals.test_plan_and_directory import CLINIC, import_directory


def test_a_stay_at_a_service_found_in_the_directory(client, world, tmp_path):
    load_builtin_taxonomy(Taxonomy, TaxonomyTerm)
    import_directory(world.org, tmp_path)
    clinic = Service.objects.get(organisation=world.org, hsds_id=CLINIC)
    client.force_login(world.alice)
    url = f"/clients/{world.client.pk}/care-levels/stays/new/"
    found = client.get(url, {"q": "clinic"}).content.decode()
    assert f'href="?service={clinic.pk}"' in found and "Bridge clinic" in found
    chosen = client.get(url, {"service": clinic.pk}).content.decode()
    assert "Chosen: Bridge clinic" in chosen
    response = client.post(
        f"{url}?service={clinic.pk}",
        {
            "level": "1",
            "program": "",
            "place_name": "",
            "service": clinic.pk,
            "admitted_on": timezone.localdate().isoformat(),
            "assessment": "",
        },
    )
    assert response.status_code == 302
    stay = Episode.objects.get()
    assert (stay.service, stay.place_name, stay.level) == (clinic, "Bridge clinic", "1")


def test_another_agencys_service_cannot_be_chosen(client, world, tmp_path):
    load_builtin_taxonomy(Taxonomy, TaxonomyTerm)
    elsewhere = OrganisationFactory(name="Elsewhere too", case_number_prefix="ET")
    import_directory(elsewhere, tmp_path)
    theirs = Service.objects.get(organisation=elsewhere, hsds_id=CLINIC)
    client.force_login(world.alice)
    url = f"/clients/{world.client.pk}/care-levels/stays/new/"
    assert "Chosen:" not in client.get(url, {"service": theirs.pk}).content.decode()
    response = client.post(
        url,
        {
            "level": "1",
            "service": theirs.pk,
            "place_name": "",
            "admitted_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 400
    assert not Episode.objects.exists()

"""The directory in the configuration screens is to look up, not to edit (it changes by
importing files), and each agency sees only its own directory."""

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from casebridge.directory.models import Service, TaxonomyTerm
from casebridge.directory.services import directory_import
from tests.directory.builders import directory_document, write
from tests.factories import StaffFactory


@pytest.fixture
def operator(db):
    return StaffFactory(username="root", is_superuser=True, is_staff=True, organisation=None)


def test_the_operator_looks_up_services_and_cannot_add_or_change_them(
    client, operator, world, tmp_path
):
    directory_import(organisation=world.org, path=write(tmp_path, directory_document(2)))
    client.force_login(operator)
    page = client.get(reverse("admin:directory_service_changelist"))
    assert page.status_code == 200 and "Service 0001" in page.content.decode()
    assert client.get(reverse("admin:directory_service_add")).status_code == 403
    service = Service.objects.first()
    change = client.post(reverse("admin:directory_service_change", args=[service.pk]), {})
    assert change.status_code in {200, 403}
    service.refresh_from_db()
    assert service.name.startswith("Service")


def test_an_administrator_is_shown_only_their_agencys_directory(world, tmp_path):
    directory_import(organisation=world.org, path=write(tmp_path, directory_document(2)))
    request = RequestFactory().get("/")
    other = StaffFactory(organisation=world.other_org, role="admin", is_staff=True)
    request.user = other
    services = admin.site._registry[Service].get_queryset(request)
    assert not services.exists()
    request.user = world.ada
    assert admin.site._registry[Service].get_queryset(request).count() == 2
    terms = admin.site._registry[TaxonomyTerm].get_queryset(request)
    assert terms.filter(organisation__isnull=True).exists()  # the built-in categories

"""The directory search page: who may use it, and each way of narrowing the list."""

import json
from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from casebridge.directory import queries
from casebridge.directory.models import TaxonomyTerm
from casebridge.directory.services import directory_import

PROVIDER = "11111111-1111-4111-8111-111111111111"
CLINIC = "22222222-2222-4222-8222-222222222222"
HOUSE = "33333333-3333-4333-8333-333333333333"

# Until casebridge/urls.py includes the directory's URLs (see tests/directory/urls.py).
pytestmark = pytest.mark.urls("tests.directory.urls")


def term(code):
    return TaxonomyTerm.objects.get(organisation=None, code=code)


def attribute(number, service, code):
    return {
        "id": f"44444444-4444-4444-8444-{number:012d}",
        "link_id": service,
        "link_entity": "service",
        "link_type": "category",
        "taxonomy_term_id": term(code).hsds_id,
    }


@pytest.fixture
def directory(world, tmp_path):
    """A methadone clinic (Medicaid, Spanish, weekdays 8 to 4) and a recovery house (free)."""
    document = {
        "organization": [{"id": PROVIDER, "name": "Harbor Health", "description": "Clinic"}],
        "service": [
            {
                "id": CLINIC,
                "organization_id": PROVIDER,
                "name": "Harbor methadone clinic",
                "description": "Daily dosing and counselling.",
                "status": "active",
                "url": "javascript:alert(1)",
                "fees_description": "Medicaid and sliding scale.",
            },
            {
                "id": HOUSE,
                "organization_id": PROVIDER,
                "name": "Bridge recovery house",
                "description": "Sober living for men.",
                "status": "active",
                "url": "https://bridge.example",
            },
        ],
        "language": [
            {
                "id": "55555555-5555-4555-8555-555555555555",
                "service_id": CLINIC,
                "name": "Spanish",
                "code": "es",
            }
        ],
        "schedule": [
            {
                "id": "66666666-6666-4666-8666-666666666666",
                "service_id": CLINIC,
                "freq": "WEEKLY",
                "byday": "MO,TU,WE,TH,FR",
                "opens_at": "08:00",
                "closes_at": "16:00",
            }
        ],
        "phone": [
            {
                "id": "77777777-7777-4777-8777-777777777777",
                "service_id": CLINIC,
                "number": "555-0100",
            }
        ],
        "attribute": [
            attribute(1, CLINIC, "methadone"),
            attribute(2, CLINIC, "medicaid"),
            attribute(3, HOUSE, "recovery-housing"),
            attribute(4, HOUSE, "free"),
        ],
    }
    path = tmp_path / "directory.json"
    path.write_text(json.dumps(document))
    report = directory_import(organisation=world.org, path=path)
    assert report.problems == []
    return world


def names(organisation, **search):
    results = queries.search_services(organisation=organisation, search=queries.Search(**search))
    return [r.service.name for r in results]


def test_a_category_takes_in_the_categories_under_it(directory):
    org = directory.org
    assert names(org, category=term("methadone")) == ["Harbor methadone clinic"]
    assert names(org, category=term("treatment")) == ["Harbor methadone clinic"]
    assert names(org, category=term("housing")) == ["Bridge recovery house"]
    assert names(org, category=term("dental")) == []


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ({"text": "sober"}, ["Bridge recovery house"]),
        ({"text": "harbor health"}, ["Bridge recovery house", "Harbor methadone clinic"]),
        ({"language": "es"}, ["Harbor methadone clinic"]),
        ({"language": "spanish"}, ["Harbor methadone clinic"]),
        ({"language": "fr"}, []),
        ({"open_at": datetime(2026, 12, 2, 9, 30)}, ["Harbor methadone clinic"]),  # Wednesday
        ({"open_at": datetime(2026, 12, 2, 16, 0)}, []),
        ({"open_at": datetime(2026, 12, 5, 9, 30)}, []),  # Saturday
    ],
)
def test_text_language_and_open_now_narrow_the_list(directory, search, expected):
    assert names(directory.org, **search) == expected


def test_payment_accepted_narrows_the_list(directory):
    assert names(directory.org, payment=term("medicaid")) == ["Harbor methadone clinic"]
    assert names(directory.org, payment=term("free")) == ["Bridge recovery house"]


def test_another_agencys_directory_is_not_searched(directory):
    assert names(directory.other_org) == []


@pytest.mark.parametrize(
    ("person", "status"),
    [
        ("alice", 200),
        ("sue", 200),
        ("cody", 200),
        ("ivy", 200),
        ("ada", 404),
        ("aud", 404),
        ("charlie", 200),
    ],
)
def test_staff_who_work_with_clients_may_search(directory, client, person, status):
    client.force_login(getattr(directory, person))
    assert client.get(reverse("directory_search")).status_code == status


def test_signed_out_people_are_sent_to_sign_in(client, db):
    response = client.get(reverse("directory_search"))
    assert response.status_code == 302 and "login" in response.url


def test_the_page_shows_matching_services_with_their_details(directory, client):
    client.force_login(directory.alice)
    response = client.get(
        reverse("directory_search"), {"category": term("moud-maud").pk, "language": "es"}
    )
    page = response.content.decode()
    assert "1 service" in page and "Harbor methadone clinic" in page
    assert "Bridge recovery house" not in page
    assert 'href="tel:555-0100"' in page and "Spanish" in page and "Methadone" in page
    assert "Medicaid and sliding scale." in page
    assert "javascript:" not in page  # an imported address that is not a web page is no link


def test_open_now_uses_the_local_time(directory, client, monkeypatch):
    wednesday = timezone.make_aware(datetime(2026, 12, 2, 9, 30))
    monkeypatch.setattr(timezone, "localtime", lambda *args: wednesday)
    client.force_login(directory.alice)
    page = client.get(reverse("directory_search"), {"open_now": "on"}).content.decode()
    assert "Harbor methadone clinic" in page and "Bridge recovery house" not in page


def test_bad_input_is_said_beside_the_field_not_a_server_error(directory, client):
    client.force_login(directory.alice)
    response = client.get(reverse("directory_search"), {"category": "99999999", "q": "x" * 500})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_the_search_takes_a_fixed_number_of_queries(directory, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        results = queries.search_services(
            organisation=directory.org, search=queries.Search(category=term("treatment"))
        )
        assert [r.categories for r in results] == [["Medicaid", "Methadone"]]

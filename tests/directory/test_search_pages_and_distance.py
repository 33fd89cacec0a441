"""The directory search past its first page (a count, and the same number of queries on every
page), and from a client's record: services nearest the client's ZIP code first, "about N
miles", a "within" filter, and a plain word when distance cannot be worked out."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casebridge.audit.models import AuditEvent
from casebridge.directory import queries
from casebridge.directory.geography import miles_between, point_of_zip, zip_in
from casebridge.directory.services import directory_import
from tests.directory.builders import directory_document, write

# Downtown Dayton, Ohio (ZIP 45402) and places around it.
DOWNTOWN = (39.7594, -84.2091)
KETTERING = (39.6895, -84.1688)  # about 5 miles south-east
SPRINGFIELD = (39.9242, -83.8088)  # about 24 miles north-east
CINCINNATI = (39.1031, -84.5120)  # about 48 miles south-west


@pytest.fixture
def many(world, tmp_path):
    directory_import(organisation=world.org, path=write(tmp_path, directory_document(120)))
    return world


def search_page(http, **params):
    return http.get(reverse("directory_search"), params)


def test_results_past_fifty_are_on_further_pages_with_the_count(many, client):
    client.force_login(many.alice)
    first = search_page(client, q="service").content.decode()
    assert "120 services, 1 to 50 shown" in first and "Page 1 of 3" in first
    assert "Service 0000" in first and "Service 0049" in first and "Service 0050" not in first
    assert 'href="?q=service&amp;page=2"' in first
    last = search_page(client, q="service", page=3).content.decode()
    assert "120 services, 101 to 120 shown" in last and "Service 0119" in last
    assert 'href="?q=service&amp;page=2"' in last and "Next" not in last


def test_a_page_past_the_last_shows_the_last(many, client):
    client.force_login(many.alice)
    page = search_page(client, q="service", page=99).content.decode()
    assert "101 to 120 shown" in page


def test_every_page_takes_the_same_number_of_queries(many):
    counts = []
    for number in (1, 2, 3):
        with CaptureQueriesContext(connection) as captured:
            page = queries.search_page(organisation=many.org, search=queries.Search(), page=number)
            assert page.results
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1] == counts[2] <= 12


@pytest.fixture
def spread(world, tmp_path):
    """Four services at known places, and one with no map location."""
    document = directory_document(
        5,
        places=[CINCINNATI, KETTERING, None, SPRINGFIELD, DOWNTOWN],
        names=[
            "Cincinnati clinic",
            "Kettering house",
            "Phone line",
            "Springfield jobs",
            "Downtown legal aid",
        ],
    )
    report = directory_import(organisation=world.org, path=write(tmp_path, document))
    assert report.problems == []
    world.client.address = "1200 W Third St, Dayton, OH 45402"
    world.client.save()
    return world


def listed(page: str, names: list[str]) -> list[str]:
    return sorted(names, key=lambda name: page.index(f"<h2>{name}</h2>"))


NAMES = [
    "Cincinnati clinic",
    "Kettering house",
    "Phone line",
    "Springfield jobs",
    "Downtown legal aid",
]


def test_from_a_client_services_are_listed_nearest_first_with_about_how_far(spread, client):
    client.force_login(spread.alice)
    page = search_page(client, **{"client": spread.client.pk}).content.decode()
    assert listed(page, NAMES) == [
        "Downtown legal aid",
        "Kettering house",
        "Springfield jobs",
        "Cincinnati clinic",
        "Phone line",
    ]
    assert "measured from the client's ZIP code, 45402" in page
    assert "Under a mile away" in page and "About 5 miles away" in page
    assert "About 24 miles away" in page and "About 48 miles away" in page
    assert "Distance unavailable: no map location" in page


def test_within_keeps_the_services_that_near(spread, client):
    client.force_login(spread.alice)
    page = search_page(client, **{"client": spread.client.pk}, within=25).content.decode()
    assert "3 services" in page and "Cincinnati clinic" not in page and "Phone line" not in page
    page = search_page(client, **{"client": spread.client.pk}, within=1).content.decode()
    assert "1 service" in page and "Downtown legal aid" in page


def test_without_a_zip_code_distance_is_said_to_be_unavailable(spread, client):
    spread.client.address = "1200 W Third St"
    spread.client.save()
    client.force_login(spread.alice)
    page = search_page(client, **{"client": spread.client.pk}).content.decode()
    assert "Distance is unavailable: the client's address has no ZIP code" in page
    assert "miles away" not in page and "5 services" in page
    assert listed(page, NAMES)[0] == "Cincinnati clinic"  # by name, as without a client
    assert 'name="within"' not in page


def test_a_zip_code_with_no_known_place_is_said_plainly(spread, client):
    spread.client.address = "PO Box 1, Dayton, OH 00000"
    spread.client.save()
    client.force_login(spread.alice)
    page = search_page(client, **{"client": spread.client.pk}).content.decode()
    assert "the ZIP code in the client's address, 00000, is not one" in page


def test_without_a_client_no_distance_is_offered(spread, client):
    client.force_login(spread.alice)
    page = search_page(client, q="").content.decode()
    assert 'name="within"' not in page and "miles away" not in page


def test_the_client_is_reached_through_the_access_policy_and_the_read_audited(spread, client):
    client.force_login(spread.bob)  # same program, not assigned
    assert search_page(client, **{"client": spread.client.pk}).status_code == 404
    client.force_login(spread.charlie)
    assert search_page(client, **{"client": spread.client.pk}).status_code == 404
    client.force_login(spread.alice)
    assert search_page(client, **{"client": spread.client.pk}).status_code == 200
    read = AuditEvent.objects.filter(action="view", client_id=spread.client.pk, actor=spread.alice)
    assert read.count() == 1


@pytest.mark.parametrize("junk", ["abc", "²", "-1", "0", "99999999999999999999"])
def test_a_client_id_that_is_no_id_is_not_found(spread, client, junk):
    client.force_login(spread.alice)
    assert search_page(client, **{"client": junk}).status_code == 404


def test_zip_codes_are_read_from_the_end_of_an_address():
    assert zip_in("1200 W Third St, Dayton, OH 45402-1234") == "45402"
    assert zip_in("12345 Main St") is None  # a house number
    assert zip_in("12 Oak St") is None
    assert round(miles_between(point_of_zip("45402"), point_of_zip("45429"))) == 6

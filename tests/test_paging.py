"""Pages of a list: the rows of the page asked for, and a count that costs a query only when
the list goes on past the page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casebridge.accounts.models import Program
from casebridge.paging import page_of
from tests.factories import OrganisationFactory, ProgramFactory

pytestmark = pytest.mark.django_db


def programs(count: int):
    organisation = OrganisationFactory()
    for n in range(count):
        ProgramFactory(organisation=organisation, name=f"Program {n:03d}")
    return Program.objects.filter(organisation=organisation).order_by("name")


def read(rows, asked: str | None, per_page: int = 10):
    """The page, its names, its count and whether there is a next one, and the queries taken."""
    with CaptureQueriesContext(connection) as captured:
        page = page_of(rows, per_page, asked)
        names = [program.name for program in page.object_list]
        facts = (page.number, page.paginator.count, page.has_next(), page.paginator.more)
    return names, facts, len(captured)


def test_a_list_that_ends_on_its_first_page_is_read_in_one_query_and_not_counted():
    names, facts, queries = read(programs(7), None)
    assert names == [f"Program {n:03d}" for n in range(7)]
    assert facts == (1, 7, False, False)
    assert queries == 1


def test_a_full_last_page_is_known_to_be_the_last():
    names, facts, queries = read(programs(20), "2")
    assert names == [f"Program {n:03d}" for n in range(10, 20)]
    assert facts == (2, 20, False, False)
    assert queries == 1


def test_a_list_that_goes_on_is_counted_once():
    names, facts, queries = read(programs(25), "2")
    assert names == [f"Program {n:03d}" for n in range(10, 20)]
    assert facts == (2, 25, True, False)
    assert queries == 2


def test_an_empty_list_has_one_empty_page():
    names, facts, queries = read(programs(0), "1")
    assert (names, facts, queries) == ([], (1, 0, False, False), 1)


@pytest.mark.parametrize("asked", ["9", "0", "-3", "junk", "", None])
def test_a_page_past_the_end_is_the_last_and_junk_the_first(asked):
    names, facts, _ = read(programs(15), asked)
    if asked == "9":
        assert names == [f"Program {n:03d}" for n in range(10, 15)]
        assert facts == (2, 15, False, False)
    else:
        assert names == [f"Program {n:03d}" for n in range(10)]
        assert facts == (1, 15, True, False)


def test_the_count_stops_a_few_pages_ahead(monkeypatch):
    monkeypatch.setattr("casebridge.paging.PAGES_AHEAD", 1)
    names, facts, queries = read(programs(45), "1")
    assert names == [f"Program {n:03d}" for n in range(10)]
    assert facts == (1, 21, True, True)  # counted to two pages and one row, no further
    assert queries == 2

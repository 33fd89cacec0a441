"""Paging through long lists without counting every row: a caseload of 100,000 clients or an
audit trail of millions of events is counted only a few pages past the one asked for, so a page
costs the same however long the list is, and "Next" always leads on."""

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

PAGES_AHEAD = 10  # how far past the page asked for the rows are counted


class LookaheadPaginator(Paginator):
    """A paginator whose count stops at `PAGES_AHEAD` pages past the page asked for (plus one
    row, to know there are more). `more` says the count stopped; `limit` is where."""

    def __init__(self, rows: QuerySet[Any], per_page: int, asked: str | None) -> None:
        super().__init__(rows, per_page)
        self.rows = rows
        self.limit = (_page_number(asked) + PAGES_AHEAD) * per_page

    @cached_property
    def count(self) -> int:
        return self.rows.order_by()[: self.limit + 1].count()

    @property
    def more(self) -> bool:
        return self.count > self.limit


def _page_number(asked: str | None) -> int:
    try:
        number = int(str(asked))
    except ValueError:
        return 1
    return min(max(number, 1), 10**6)


def page_of(rows: QuerySet[Any], per_page: int, asked: str | None) -> Page:
    """The page asked for (the first for junk, the last counted for one past the end).

    The page's rows are read first, with one more: when that one is missing, this is the last
    page and the count is known without counting (a caseload of fifty costs one query, not
    two). Only a list that goes on past the page, or a number past its end, is counted."""
    # The number as the count read it: 0 or less is the first page, not one past the end.
    number = _page_number(asked)
    paginator = LookaheadPaginator(rows, per_page, asked)
    start = (number - 1) * per_page
    window = list(rows[start : start + per_page + 1])
    if window or number == 1:
        if len(window) <= per_page:
            paginator.__dict__["count"] = start + len(window)  # the cached_property's place
        return Page(window[:per_page], number, paginator)
    return paginator.get_page(number)  # past the end: the last page there is

"""The resource directory search page, for staff who work with clients."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from casebridge.accounts.http import SignedInRequest
from casebridge.directory import queries
from casebridge.directory.forms import DirectorySearchForm


@login_required
def directory_search(request: SignedInRequest) -> HttpResponse:
    # Not found, not forbidden: the page is not there for roles that do not use it.
    organisation = request.user.organisation
    if organisation is None or not queries.may_search_directory(request.user):
        raise Http404
    form = DirectorySearchForm(request.GET or None, organisation=organisation)
    results = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        results = queries.search_services(
            organisation=organisation,
            search=queries.Search(
                text=data["q"].strip(),
                category=data["category"],
                payment=data["payment"],
                language=data["language"].strip(),
                open_at=timezone.localtime() if data["open_now"] else None,
            ),
        )
    return render(
        request,
        "directory/search.html",
        {"form": form, "results": results, "most": queries.MOST_RESULTS},
    )

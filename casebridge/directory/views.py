"""The resource directory's pages: the search, for staff who work with clients (and from a
client's record, with distances from the client's ZIP code); importing and exporting HSDS
files, for the agency's administrators."""

import csv
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from casebridge.accounts.http import SignedInRequest
from casebridge.accounts.models import Organisation
from casebridge.directory import queries, services
from casebridge.directory.extensions import SearchedFor, client_searched_for
from casebridge.directory.forms import (
    DirectoryExportForm,
    DirectoryImportForm,
    DirectorySearchForm,
)
from casebridge.directory.geography import point_of_zip, zip_in
from casebridge.directory.hsds.exporting import ExportFormat
from casebridge.directory.models import DirectoryImport
from casebridge.inputs import parse_id

# How many of each kind of problem the page lists; the CSV report has every one.
PROBLEMS_SHOWN = 200


def _searching_for(request: SignedInRequest) -> SearchedFor | None:
    """The client the search is made for (?client=id), through the access policy: reading the
    record is audited there, and someone who may not see the client gets "not found"."""
    raw = request.GET.get("client")
    if raw is None or raw == "":
        return None
    client_id = parse_id(raw)
    if client_id is None or client_id == 0:
        raise Http404
    return client_searched_for(request.user, client_id)


@login_required
@require_GET
def directory_search(request: SignedInRequest) -> HttpResponse:
    # Not found, not forbidden: the page is not there for roles that do not use it.
    organisation = request.user.organisation
    if organisation is None or not queries.may_search_directory(request.user):
        raise Http404
    client = _searching_for(request)
    zip_code = zip_in(client.address) if client is not None else None
    near = point_of_zip(zip_code)
    form = DirectorySearchForm(
        request.GET or None, organisation=organisation, from_client=near is not None
    )
    page = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        page = queries.search_page(
            organisation=organisation,
            search=queries.Search(
                text=data["q"].strip(),
                category=data["category"],
                payment=data["payment"],
                language=data["language"].strip(),
                open_at=timezone.localtime() if data["open_now"] else None,
                near=near,
                within_miles=data.get("within") if near is not None else None,
            ),
            page=data["page"] or 1,
        )
    return render(
        request,
        "directory/search.html",
        {
            "form": form,
            "page": page,
            "results": page.results if page is not None else None,
            "client": client,
            "zip_code": zip_code,
            "near": near,
        },
    )


def _administered(request: SignedInRequest) -> Organisation:
    """The agency whose directory the signed-in administrator manages; 404 for anyone else."""
    if not queries.may_manage_directory(request.user) or request.user.organisation is None:
        raise Http404
    return request.user.organisation


def _run(request: SignedInRequest, import_id: int) -> DirectoryImport:
    run = queries.import_run_for(user=request.user, import_id=import_id)
    if run is None:
        raise Http404
    return run


@login_required
@require_http_methods(["GET", "POST"])
def directory_imports(request: SignedInRequest) -> HttpResponse:
    organisation = _administered(request)
    form = DirectoryImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        run = services.directory_import_upload(
            organisation=organisation,
            by=request.user,
            upload=form.cleaned_data["file"],
            dry_run=form.cleaned_data["dry_run"],
            strict=form.cleaned_data["strict"],
        )
        return redirect("directory_import", import_id=run.pk)
    return render(
        request,
        "directory/imports.html",
        {
            "form": form,
            "export_form": DirectoryExportForm(),
            "runs": queries.import_runs(organisation),
        },
        status=400 if form.is_bound else 200,
    )


def _run_context(run: DirectoryImport) -> dict[str, object]:
    report = run.report or {}
    return {
        "run": run,
        "report": report,
        "rejected": report.get("rejected", [])[:PROBLEMS_SHOWN],
        "missing": report.get("missing_references", [])[:PROBLEMS_SHOWN],
        "shown": PROBLEMS_SHOWN,
        "may_retry": services.may_retry(run),
    }


@login_required
@require_GET
def directory_import(request: SignedInRequest, import_id: int) -> HttpResponse:
    run = _run(request, import_id)
    return render(request, "directory/import.html", _run_context(run))


@login_required
@require_GET
def directory_import_status(request: SignedInRequest, import_id: int) -> HttpResponse:
    """The part of the import's page that htmx asks for again until the import finishes."""
    run = _run(request, import_id)
    return render(request, "directory/_import_status.html", _run_context(run))


@login_required
@require_POST
def directory_import_retry(request: SignedInRequest, import_id: int) -> HttpResponse:
    run = _run(request, import_id)
    if services.may_retry(run):
        services.directory_import_retry(run=run, by=request.user)
        messages.success(request, "The import is queued again. It starts over from the file.")
    else:
        messages.error(request, "This import is finished or still moving; it is not run again.")
    return redirect("directory_import", import_id=run.pk)


@login_required
@require_GET
def directory_import_problems(request: SignedInRequest, import_id: int) -> HttpResponse:
    """Every rejected row and missing reference of an import, as CSV."""
    run = _run(request, import_id)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["kind", "file", "row", "field", "problem"])
    for kind, key in (("rejected", "rejected"), ("missing reference", "missing_references")):
        for problem in (run.report or {}).get(key, []):
            writer.writerow(
                [kind, *(_cell(problem.get(k, "")) for k in ("file", "row", "field", "message"))]
            )
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{run.pk}-problems.csv"'
    return response


def _cell(value: object) -> str:
    # A cell a spreadsheet would run as a formula is kept as text.
    text = str(value)
    return f"'{text}" if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else text


@login_required
@require_POST
def directory_export(request: SignedInRequest) -> HttpResponse:
    organisation = _administered(request)
    form = DirectoryExportForm(request.POST)
    if not form.is_valid():
        return HttpResponse("Choose JSON or CSV.", status=400, content_type="text/plain")
    name, content, media_type = services.directory_export_file(
        organisation=organisation,
        by=request.user,
        export_format=ExportFormat(form.cleaned_data["format"]),
    )
    response = HttpResponse(content, content_type=media_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response

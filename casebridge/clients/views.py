"""Client pages: caseload, intake, the client page and its tabs, and the forms that change a case.

Views parse the request, call one service or query, and render. Every client is fetched through
`client_for`, which applies the access policy and audits the read.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from casebridge.access.policy import (
    Action,
    may_have_caseload,
    may_register_clients,
    may_see_team,
    may_use_break_glass,
)
from casebridge.accounts.http import SignedInRequest
from casebridge.accounts.queries import read_programs, role_grants
from casebridge.audit.services import audit_record
from casebridge.audit.versions import VersionConflict
from casebridge.clients import queries, services
from casebridge.clients.forms import (
    AssignForm,
    CaseloadFilterForm,
    ClientEditForm,
    ClientIntakeForm,
    CollateralEditForm,
    CollateralForm,
    EmergencyAccessForm,
    FlagClearForm,
    FlagForm,
    StageMoveForm,
)
from casebridge.clients.models import Client, Collateral
from casebridge.clients.services import (
    CLIENT_DETAIL_FIELDS,
    CLIENT_REGISTRATION_FIELDS,
    COLLATERAL_FIELDS,
)
from casebridge.formtools import apply_errors, save_versioned
from casebridge.inputs import parse_id
from casebridge.paging import page_of

PAGE_SIZE = 50


def _caseload_context(request: SignedInRequest) -> dict[str, Any]:
    user = request.user
    # Searches travel in the request body, never the URL: a search term is often a name, and
    # URLs end up in browser history and proxy logs.
    data = request.POST.copy() if request.method == "POST" else request.GET.copy()
    if request.method != "POST":
        data.pop("q", None)
    read_programs(user)  # once for the filter's choices and the team's counts
    form = CaseloadFilterForm(data or None, user=user)
    filters = queries.CaseloadFilters()
    if form.is_valid():
        filters = queries.CaseloadFilters(
            q=form.cleaned_data["q"],
            stage=form.cleaned_data["stage"],
            program=form.cleaned_data["program"],
            flag=form.cleaned_data["flag"],
            overdue=form.cleaned_data["overdue"],
            sort=form.cleaned_data["sort"],
        )
    case_manager = parse_id(data.get("case_manager"))
    if case_manager is not None and may_see_team(user):
        filters.case_manager = case_manager
    page = page_of(queries.caseload(user, filters), PAGE_SIZE, data.get("page"))
    rows = queries.caseload_rows(user, list(page.object_list))
    audit_record(
        actor=user,
        action="list",
        object_type="caseload",
        changes={"client_ids": [client.pk for client, _ in rows]},
    )
    return {
        "form": form,
        "page": page,
        "rows": rows,
        # The first page of the team's counts; the Team page has the rest. A partial render (the
        # table, redrawn as someone types a search) shows no counts, so computes none.
        "team": (
            queries.team_counts(user, queries.team_page(user))
            if may_see_team(user) and not request.htmx
            else None
        ),
        "case_manager": filters.case_manager,
        "today": timezone.localdate(),
    }


@login_required
@require_http_methods(["GET", "POST"])
def caseload(request: SignedInRequest) -> HttpResponse:
    if not may_have_caseload(request.user):
        raise Http404
    context = _caseload_context(request)
    if request.htmx:
        return render(request, "clients/_caseload_table.html", context)
    return render(request, "clients/caseload.html", context)


@login_required
def client_register(request: SignedInRequest) -> HttpResponse:
    if not may_register_clients(request.user):
        raise Http404
    form = ClientIntakeForm(request.POST or None, user=request.user)
    duplicates: list[Client] = []
    hidden_duplicates = 0
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in CLIENT_REGISTRATION_FIELDS}
        try:
            client = services.client_register(
                by=request.user,
                confirm_new_person=form.cleaned_data["confirm_new_person"],
                **fields,
            )
        except services.DuplicateClientError as error:
            # Say only what the person may see: that someone is a client is itself protected.
            duplicates, hidden_duplicates = queries.split_by_access(request.user, error.duplicates)
            audit_record(
                actor=request.user,
                action="list",
                object_type="duplicate_check",
                changes={"client_ids": [c.pk for c in error.duplicates]},
            )
            confirmed = request.POST.copy()
            confirmed["confirm_new_person"] = "on"
            form.data = confirmed
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Registered. Case number {client.case_number}.")
            if queries.user_may(request.user, client, Action.VIEW):
                return redirect("client_overview", client_id=client.pk)
            return redirect("caseload")
    return render(
        request,
        "clients/register.html",
        {"form": form, "duplicates": duplicates, "hidden_duplicates": hidden_duplicates},
    )


@login_required
def client_overview(request: SignedInRequest, client_id: int) -> HttpResponse:
    client = queries.client_for(user=request.user, client_id=client_id)
    context = queries.client_page(
        request.user,
        client,
        "overview",
        stage_form=StageMoveForm(initial={"version": client.version}, client=client),
        flag_form=FlagForm(),
    )
    context["recent"] = queries.timeline(client, context["allowed"], limit=5)
    return render(request, "clients/overview.html", context)


@login_required
def client_timeline(request: SignedInRequest, client_id: int) -> HttpResponse:
    client = queries.client_for(user=request.user, client_id=client_id)
    context = queries.client_page(request.user, client, "timeline")
    kinds = queries.timeline_kinds(context["allowed"])
    # Only a kind offered to this person filters; any other (one they may not see, or made up)
    # is ignored, and the whole timeline they may see is shown.
    kind = request.GET.get("kind", "")
    if kind not in {offered.code for offered in kinds}:
        kind = ""
    older_than = parse_id(request.GET.get("before"))
    page = queries.timeline_page(client, context["allowed"], kind=kind, older_than=older_than)
    context |= {
        "entries": page.entries,
        "older_than": page.older_than,
        "kinds": kinds,
        "kind": kind,
        "paged": older_than is not None,
    }
    return render(request, "clients/timeline.html", context)


@login_required
def client_edit(request: SignedInRequest, client_id: int) -> HttpResponse:
    client = queries.client_for(user=request.user, client_id=client_id, action=Action.CHANGE)
    form = ClientEditForm(
        request.POST or None,
        instance=client,
        initial={"version": client.version},
        user=request.user,
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in CLIENT_DETAIL_FIELDS}
        attempt = save_versioned(
            form,
            lambda: services.client_update(
                client=client,
                by=request.user,
                version=form.cleaned_data["version"],
                **fields,
            ),
            record=client,
        )
        if attempt.saved:
            messages.success(request, "Details saved.")
            return redirect("client_overview", client_id=client.pk)
        conflict = attempt.conflict
    # The form must not show another person's unsaved edits as the record's values.
    if form.is_bound and not form.is_valid():
        client.refresh_from_db()
    context = queries.client_page(request.user, client, "details", form=form, conflict=conflict)
    return render(request, "clients/edit.html", context)


@login_required
@require_POST
def client_move_stage(request: SignedInRequest, client_id: int) -> HttpResponse:
    client = queries.client_for(user=request.user, client_id=client_id, action=Action.MOVE_STAGE)
    form = StageMoveForm(request.POST, client=client)
    conflict = None
    if form.is_valid():
        try:
            services.case_move_stage(
                client=client,
                to_stage=form.cleaned_data["to_stage"],
                by=request.user,
                reason=form.cleaned_data["reason"],
                version=form.cleaned_data["version"],
            )
        except VersionConflict as error:
            conflict = error
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Stage changed.")
            return redirect("client_overview", client_id=client.pk)
    client.refresh_from_db()
    context = queries.client_page(
        request.user,
        client,
        "overview",
        stage_form=form,
        flag_form=FlagForm(),
        conflict=conflict,
    )
    context["recent"] = queries.timeline(client, context["allowed"], limit=5)
    return render(request, "clients/overview.html", context, status=400 if not conflict else 409)


@login_required
def client_assign(request: SignedInRequest, client_id: int) -> HttpResponse:
    client = queries.client_for(user=request.user, client_id=client_id, action=Action.ASSIGN)
    form = AssignForm(request.POST or None, initial={"version": client.version}, client=client)
    conflict = None
    if request.method == "POST" and form.is_valid():
        attempt = save_versioned(
            form,
            lambda: services.client_assign(
                client=client,
                by=request.user,
                role=form.cleaned_data["role"],
                to_user=form.cleaned_data["to_user"],
                reason=form.cleaned_data["reason"],
                version=form.cleaned_data["version"],
            ),
            record=client,
        )
        if attempt.saved:
            messages.success(request, "Assignment saved.")
            return redirect("client_overview", client_id=client.pk)
        conflict = attempt.conflict
    history = client.assignment_changes.select_related("from_user", "to_user", "changed_by")[:50]
    context = queries.client_page(
        request.user, client, "assign", form=form, conflict=conflict, history=history
    )
    return render(request, "clients/assign.html", context)


@login_required
def collateral_list(request: SignedInRequest, client_id: int) -> HttpResponse:
    client = queries.client_for(user=request.user, client_id=client_id)
    context = queries.client_page(
        request.user, client, "collaterals", collaterals=queries.collaterals_with_releases(client)
    )
    return render(request, "clients/collaterals.html", context)


@login_required
def collateral_add(request: SignedInRequest, client_id: int) -> HttpResponse:
    client = queries.client_for(
        user=request.user, client_id=client_id, action=Action.MANAGE_COLLATERALS
    )
    form = CollateralForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.collateral_add(
                client=client,
                by=request.user,
                **{n: form.cleaned_data[n] for n in COLLATERAL_FIELDS},
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Contact added.")
            return redirect("collateral_list", client_id=client.pk)
    context = queries.client_page(request.user, client, "collaterals", form=form, collateral=None)
    return render(request, "clients/collateral_form.html", context)


@login_required
def collateral_edit(request: SignedInRequest, client_id: int, collateral_id: int) -> HttpResponse:
    client = queries.client_for(
        user=request.user, client_id=client_id, action=Action.MANAGE_COLLATERALS
    )
    collateral: Collateral | None = client.collaterals.filter(pk=collateral_id).first()
    if collateral is None:
        raise Http404
    form = CollateralEditForm(
        request.POST or None, instance=collateral, initial={"version": collateral.version}
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        attempt = save_versioned(
            form,
            lambda: services.collateral_update(
                collateral=collateral,
                by=request.user,
                version=form.cleaned_data["version"],
                **{n: form.cleaned_data[n] for n in COLLATERAL_FIELDS},
            ),
            record=collateral,
        )
        if attempt.saved:
            messages.success(request, "Contact saved.")
            return redirect("collateral_list", client_id=client.pk)
        conflict = attempt.conflict
    context = queries.client_page(
        request.user, client, "collaterals", form=form, collateral=collateral, conflict=conflict
    )
    return render(request, "clients/collateral_form.html", context)


@login_required
@require_POST
def flag_raise(request: SignedInRequest, client_id: int) -> HttpResponse:
    client = queries.client_for(user=request.user, client_id=client_id, action=Action.FLAG)
    form = FlagForm(request.POST)
    if form.is_valid():
        try:
            services.flag_raise(client=client, by=request.user, **form.cleaned_data)
            messages.success(request, "Flag raised.")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    else:
        messages.error(request, "Choose which flag to raise.")
    return redirect("client_overview", client_id=client.pk)


@login_required
@require_POST
def flag_clear(request: SignedInRequest, client_id: int, flag_id: int) -> HttpResponse:
    client = queries.client_for(user=request.user, client_id=client_id, action=Action.FLAG)
    flag = client.flags.filter(pk=flag_id).first()
    if flag is None:
        raise Http404
    form = FlagClearForm(request.POST)
    if form.is_valid():
        try:
            services.flag_clear(flag=flag, by=request.user, note=form.cleaned_data["note"])
            messages.success(request, "Flag cleared.")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    else:
        messages.error(request, "Say why the flag can be cleared.")
    return redirect("client_overview", client_id=client.pk)


@login_required
def emergency_access(request: SignedInRequest) -> HttpResponse:
    if not may_use_break_glass(request.user):
        raise Http404
    form = EmergencyAccessForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            client = services.emergency_access(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.warning(
                request, "Emergency access granted. It is recorded and ends by itself."
            )
            return redirect("client_overview", client_id=client.pk)
    return render(request, "clients/emergency_access.html", {"form": form})


@login_required
def team(request: SignedInRequest) -> HttpResponse:
    if not may_see_team(request.user):
        raise Http404
    context = {
        "team": queries.team_counts(
            request.user, queries.team_page(request.user, request.GET.get("page"))
        ),
        "grants": queries.recent_emergency_access(request.user)[:50],
        "refusals": queries.repeated_refusals(request.user),
        "refusals_threshold": queries.REPEATED_REFUSALS,
        "role_grants": role_grants(request.user),
    }
    return render(request, "clients/team.html", context)

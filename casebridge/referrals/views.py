"""The Referrals tab: a client's referrals, a new one, and one referral's page, where it is sent
through the consent gate, each answer and step is recorded and the follow-up log kept. Seeing
referrals is clinical (read_clinical: who a client is referred to, and why); making and moving
them sends information out of the program (disclose). Every rule is the services'."""

from datetime import datetime, time
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from casebridge.access.policy import Action, may_see_team
from casebridge.accounts.http import SignedInRequest
from casebridge.audit.services import audit_record
from casebridge.audit.versions import VersionConflict
from casebridge.clients.models import Client
from casebridge.clients.queries import client_for, client_page
from casebridge.consents.services import DisclosureRefused
from casebridge.directory.forms import DirectorySearchForm
from casebridge.directory.geography import point_of_zip, zip_in
from casebridge.directory.queries import Search, search_services
from casebridge.formtools import apply_errors
from casebridge.inputs import parse_id
from casebridge.referrals import queries, services
from casebridge.referrals.forms import CommunicationForm, MoveForm, ReferralForm, SendForm
from casebridge.referrals.measures import PERIODS
from casebridge.referrals.measures import referral_measures as referral_measures_of
from casebridge.referrals.models import Referral


def _reader(request: SignedInRequest, client_id: int) -> Client:
    return client_for(user=request.user, client_id=client_id, action=Action.READ_CLINICAL)


def _writer(request: SignedInRequest, client_id: int) -> Client:
    client = client_for(user=request.user, client_id=client_id, action=Action.DISCLOSE)
    return client


@login_required
def referral_list(request: SignedInRequest, client_id: int) -> HttpResponse:
    client = _reader(request, client_id)
    referrals = queries.referrals_for(client)
    if referrals:
        audit_record(
            actor=request.user,
            action="view",
            client_id=client.pk,
            object_type="referral",
            changes={"referrals": [referral.pk for referral in referrals]},
        )
    context = client_page(request.user, client, "referrals", referrals=referrals)
    return render(request, "referrals/list.html", context)


def _prefilled(request: SignedInRequest, actions: Any, services_in: Any) -> dict[str, Any]:
    """What the page was opened for: a plan action (`?action=` its key) and a service chosen
    in the directory search (`?service=` its id); anything else is ignored."""
    initial: dict[str, Any] = {}
    key = request.GET.get("action", "")
    try:
        action = actions.filter(key=UUID(key)).first() if key else None
    except ValueError:
        action = None
    if action is not None:
        initial.update(
            plan_action=action.pk,
            goal=action.goal_id,
            provider_name=action.provider_name,
            reason=action.action,
        )
    chosen = parse_id(request.GET.get("service"))
    service = services_in.filter(pk=chosen).first() if chosen is not None else None
    if service is not None:
        initial.update(service=service.pk, provider_name="", service_name="")
    initial["_action"] = action
    initial["_service"] = service
    return initial


@login_required
def referral_new(request: SignedInRequest, client_id: int) -> HttpResponse:
    client = _writer(request, client_id)
    actions = queries.provider_actions_in_effect(client)
    services_in = queries.directory_services(client)
    initial = _prefilled(request, actions, services_in)
    action, chosen = initial.pop("_action"), initial.pop("_service")
    form = ReferralForm(
        request.POST or None,
        initial=initial,
        goals=queries.goals_in_effect(client),
        actions=actions,
        services=services_in,
    )
    if request.method == "POST" and form.is_valid():
        try:
            referral = services.referral_draft(client=client, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Referral saved as a draft. Check it and send it.")
            return redirect("referral_detail", client_id=client.pk, referral_id=referral.pk)
    if form.is_bound and form.is_valid():
        chosen = form.cleaned_data.get("service")
    # Nearest first when the client's address ends with a ZIP code the bundled table knows.
    near = point_of_zip(zip_in(client.address))
    finder = DirectorySearchForm(
        request.GET if "q" in request.GET else None,
        organisation=client.organisation,
        from_client=near is not None,
        initial={"category": queries.category_for_need(client, action)},
    )
    found = None
    if finder.is_bound and finder.is_valid():
        data = finder.cleaned_data
        found = search_services(
            organisation=client.organisation,
            search=Search(
                text=data["q"].strip(),
                category=data["category"],
                payment=data["payment"],
                language=data["language"].strip(),
                open_at=timezone.localtime() if data["open_now"] else None,
                near=near,
                within_miles=data.get("within"),
            ),
        )[: queries.SERVICES_OFFERED]
    context = client_page(
        request.user,
        client,
        "referrals",
        form=form,
        finder=finder,
        found=found,
        near=near,
        chosen=chosen,
        action_key=str(action.key) if action is not None else "",
    )
    return render(request, "referrals/form.html", context)


def _referral(client: Client, referral_id: int) -> Referral:
    found = queries.referral_of(client, referral_id)
    if found is None:
        raise Http404
    return found


def _detail(
    request: SignedInRequest,
    client: Client,
    referral: Referral,
    status: int = 200,
    **forms: object,
) -> HttpResponse:
    audit_record(
        actor=request.user,
        action="view",
        client_id=client.pk,
        object_type="referral",
        object_id=referral.pk,
    )
    context = client_page(request.user, client, "referrals", referral=referral)
    context.setdefault("send_form", SendForm(initial={"version": referral.version}))
    context.setdefault("move_form", MoveForm(initial={"version": referral.version}))
    context.setdefault(
        "contact_form", CommunicationForm(initial={"happened_on": timezone.localdate()})
    )
    context.update(forms)
    context["can_change"] = Action.DISCLOSE in context["allowed"]
    return render(request, "referrals/detail.html", context, status=status)


@login_required
def referral_detail(request: SignedInRequest, client_id: int, referral_id: int) -> HttpResponse:
    client = _reader(request, client_id)
    return _detail(request, client, _referral(client, referral_id))


@login_required
@require_POST
def referral_send(request: SignedInRequest, client_id: int, referral_id: int) -> HttpResponse:
    client = _writer(request, client_id)
    referral = _referral(client, referral_id)
    form = SendForm(request.POST)
    if form.is_valid():
        try:
            services.referral_send(
                referral=referral,
                by=request.user,
                version=form.cleaned_data["version"],
                method=form.cleaned_data["method"],
            )
        except DisclosureRefused as refused:
            form.add_error(None, str(refused))
        except VersionConflict as conflict:
            return _detail(request, client, _referral(client, referral_id), 409, conflict=conflict)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Referral sent.")
            return redirect("referral_detail", client_id=client.pk, referral_id=referral.pk)
    return _detail(request, client, referral, send_form=form)


@login_required
@require_POST
def referral_move(request: SignedInRequest, client_id: int, referral_id: int) -> HttpResponse:
    client = _writer(request, client_id)
    referral = _referral(client, referral_id)
    form = MoveForm(request.POST)
    if form.is_valid():
        try:
            services.referral_move(referral=referral, by=request.user, **form.cleaned_data)
        except VersionConflict as conflict:
            return _detail(request, client, _referral(client, referral_id), 409, conflict=conflict)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Recorded.")
            return redirect("referral_detail", client_id=client.pk, referral_id=referral.pk)
    return _detail(request, client, referral, move_form=form)


@login_required
@require_POST
def referral_contact(request: SignedInRequest, client_id: int, referral_id: int) -> HttpResponse:
    client = _writer(request, client_id)
    referral = _referral(client, referral_id)
    form = CommunicationForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        day = data.pop("happened_on")
        # A contact today is "now"; an earlier one is noon of that day where the program works.
        happened_at = (
            timezone.now()
            if day == timezone.localdate()
            else timezone.make_aware(datetime.combine(day, time(12)))
        )
        try:
            services.communication_record(
                referral=referral, by=request.user, happened_at=happened_at, **data
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Contact about the referral recorded.")
            return redirect("referral_detail", client_id=client.pk, referral_id=referral.pk)
    return _detail(request, client, referral, contact_form=form)


@login_required
def referral_measures(request: SignedInRequest) -> HttpResponse:
    """How the team's referrals turn out, per service and per category (supervisors)."""
    if not may_see_team(request.user):
        raise Http404
    period = request.GET.get("period", "90")
    if period not in PERIODS:
        period = "90"
    found = referral_measures_of(request.user, period=period, now=timezone.now())
    return render(
        request,
        "referrals/measures.html",
        {"measures": found, "period": period, "periods": PERIODS},
    )

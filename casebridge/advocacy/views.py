"""The Applications tab: a client's applications, a new one, and one application's page, where
each step is recorded with its reason, the deadlines set, an authorization's details kept, a
denial appealed and documents sent through the consent gate.

Who: seeing applications is clinical (read_clinical: an authorization names a level of care for
substance use treatment, a benefit application may quote the diagnosis). Keeping them (starting,
moving, deadlines, authorization details, appeals) is the case manager's coordination work under
the care plan: the `plan` action, so the client's case managers and supervisors; intake reads
them while the client is in engagement but does not keep them, because an application runs for
months past the point where intake's reach ends. Sending documents out of the program is a
disclosure: the `disclose` action, as sending a referral is. Every rule is the services'."""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from casebridge.access.policy import Action
from casebridge.accounts.http import SignedInRequest
from casebridge.advocacy import queries, services
from casebridge.advocacy.forms import (
    AppealForm,
    ApplicationForm,
    AuthorizationForm,
    DatesForm,
    MoveForm,
    SendForm,
)
from casebridge.advocacy.models import Application
from casebridge.advocacy.statuses import MOVES, THROUGH_APPEAL, ApplicationStatus
from casebridge.audit.services import audit_record
from casebridge.clients.models import Client
from casebridge.clients.queries import client_for, client_page
from casebridge.consents.services import DisclosureRefused
from casebridge.formtools import apply_errors, save_versioned

TAB = "application_list"
S = ApplicationStatus


def _client(request: SignedInRequest, client_id: int, action: Action) -> Client:
    return client_for(user=request.user, client_id=client_id, action=action)


@login_required
def application_list(request: SignedInRequest, client_id: int) -> HttpResponse:
    client = _client(request, client_id, Action.READ_CLINICAL)
    applications = queries.applications_for(client)
    if applications:
        audit_record(
            actor=request.user,
            action="view",
            client_id=client.pk,
            object_type="application",
            changes={"applications": [application.pk for application in applications]},
        )
    context = client_page(request.user, client, TAB, applications=applications)
    return render(request, "advocacy/list.html", context)


@login_required
def application_new(request: SignedInRequest, client_id: int) -> HttpResponse:
    client = _client(request, client_id, Action.PLAN)
    form = ApplicationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            application = services.application_start(
                client=client, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Application saved. Record each step as it happens.")
            return redirect(
                "application_detail", client_id=client.pk, application_id=application.pk
            )
    context = client_page(request.user, client, TAB, form=form)
    return render(request, "advocacy/form.html", context)


def _application(client: Client, application_id: int) -> Application:
    found = queries.application_of(client, application_id)
    if found is None:
        raise Http404
    return found


def _open_moves(application: Application) -> set[str]:
    """The moves a person makes from the page: the table's, but those only an appeal makes."""
    return {
        to for to in MOVES[application.status] if (application.status, to) not in THROUGH_APPEAL
    }


def _forms(application: Application) -> dict[str, object]:
    version = {"version": application.version}
    return {
        "move_form": MoveForm(initial=version, auto_id="move-%s", moves=_open_moves(application)),
        "dates_form": DatesForm(
            initial=version
            | {
                "next_deadline_on": application.next_deadline_on,
                "next_deadline_for": application.next_deadline_for,
                "decision_expected_on": application.decision_expected_on,
                "appeal_by": application.appeal_by,
            },
            auto_id="dates-%s",
        ),
        "authorization_form": AuthorizationForm(
            initial=version
            | {
                "level_of_care": application.level_of_care,
                "authorization_number": application.authorization_number,
                "approved_from": application.approved_from,
                "approved_to": application.approved_to,
                "units_approved": application.units_approved,
                "unit_kind": application.unit_kind,
                "next_review_on": application.next_review_on,
            },
            auto_id="authorization-%s",
        ),
        "appeal_form": AppealForm(initial=version, auto_id="appeal-%s"),
        "send_form": SendForm(auto_id="send-%s"),
    }


def _detail(
    request: SignedInRequest,
    client: Client,
    application: Application,
    status: int = 200,
    **forms: object,
) -> HttpResponse:
    audit_record(
        actor=request.user,
        action="view",
        client_id=client.pk,
        object_type="application",
        object_id=application.pk,
    )
    context = client_page(request.user, client, TAB, application=application)
    context.update(_forms(application) | forms)
    allowed = context["allowed"]
    open_moves = _open_moves(application)
    keeps = Action.PLAN in allowed
    context.update(
        can_keep=keeps,
        can_move=keeps and bool(open_moves),
        can_appeal=keeps and application.status == S.DENIED and not application.appeal_of_id,
        can_date=keeps and application.status not in {S.APPROVED, S.WITHDRAWN},
        can_authorize=keeps and application.is_authorization and application.status != S.WITHDRAWN,
        can_send=Action.DISCLOSE in allowed and application.status != S.WITHDRAWN,
    )
    return render(request, "advocacy/detail.html", context, status=status)


@login_required
def application_detail(
    request: SignedInRequest, client_id: int, application_id: int
) -> HttpResponse:
    client = _client(request, client_id, Action.READ_CLINICAL)
    return _detail(request, client, _application(client, application_id))


def _versioned(
    request: SignedInRequest,
    client_id: int,
    application_id: int,
    form_class: type,
    name: str,
    save: Callable[..., object],
    done: str,
) -> HttpResponse:
    """Post one of the versioned forms: saved (back to the page), refused because someone saved
    first (the page as it now is, 409), or refused by the rules (the errors beside the fields)."""
    client = _client(request, client_id, Action.PLAN)
    application = _application(client, application_id)
    form = form_class(request.POST, auto_id=f"{name}-%s")
    if not form.is_valid():
        return _detail(request, client, application, **{f"{name}_form": form})
    attempt = save_versioned(
        form,
        lambda: save(application=application, by=request.user, **form.cleaned_data),
        record=application,
    )
    if attempt.saved:
        messages.success(request, done)
        return redirect("application_detail", client_id=client.pk, application_id=application.pk)
    if attempt.conflict:
        fresh = _application(client, application_id)
        return _detail(
            request, client, fresh, 409, conflict=attempt.conflict, **{f"{name}_form": form}
        )
    return _detail(request, client, application, **{f"{name}_form": form})


@login_required
@require_POST
def application_move(request: SignedInRequest, client_id: int, application_id: int) -> HttpResponse:
    return _versioned(
        request, client_id, application_id, MoveForm, "move", services.application_move, "Recorded."
    )


@login_required
@require_POST
def application_dates(
    request: SignedInRequest, client_id: int, application_id: int
) -> HttpResponse:
    return _versioned(
        request,
        client_id,
        application_id,
        DatesForm,
        "dates",
        services.application_dates,
        "Deadlines saved.",
    )


@login_required
@require_POST
def application_authorization(
    request: SignedInRequest, client_id: int, application_id: int
) -> HttpResponse:
    return _versioned(
        request,
        client_id,
        application_id,
        AuthorizationForm,
        "authorization",
        services.authorization_record,
        "Authorization details saved.",
    )


@login_required
@require_POST
def application_appeal(
    request: SignedInRequest, client_id: int, application_id: int
) -> HttpResponse:
    client = _client(request, client_id, Action.PLAN)
    application = _application(client, application_id)
    form = AppealForm(request.POST, auto_id="appeal-%s")
    if form.is_valid():
        appeals: list[Application] = []
        attempt = save_versioned(
            form,
            lambda: appeals.append(
                services.appeal_start(application=application, by=request.user, **form.cleaned_data)
            ),
            record=application,
        )
        if attempt.saved:
            messages.success(request, "Appeal started. Record each step of it here.")
            return redirect("application_detail", client_id=client.pk, application_id=appeals[0].pk)
        if attempt.conflict:
            fresh = _application(client, application_id)
            return _detail(request, client, fresh, 409, conflict=attempt.conflict, appeal_form=form)
    return _detail(request, client, application, appeal_form=form)


@login_required
@require_POST
def application_send(request: SignedInRequest, client_id: int, application_id: int) -> HttpResponse:
    client = _client(request, client_id, Action.DISCLOSE)
    application = _application(client, application_id)
    form = SendForm(request.POST, auto_id="send-%s")
    if form.is_valid():
        try:
            services.documents_send(application=application, by=request.user, **form.cleaned_data)
        except DisclosureRefused as refused:
            form.add_error(None, str(refused))
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Documents sent and recorded as a disclosure.")
            return redirect(
                "application_detail", client_id=client.pk, application_id=application.pk
            )
    return _detail(request, client, application, send_form=form)

"""The Recovery capital tab: the support network, the client's own words, and for those who
read clinical content the BARC-10 trend and the days in recovery with milestones."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from casebridge.access.policy import Action
from casebridge.accounts.http import SignedInRequest
from casebridge.audit.models import AuditEvent
from casebridge.audit.services import audit_event
from casebridge.audit.versions import VersionConflict
from casebridge.clients.models import Client
from casebridge.clients.queries import (
    client_for,
    client_page,
    client_read,
    record_reads,
    user_may,
)
from casebridge.formtools import apply_errors
from casebridge.recovery_capital import queries, services
from casebridge.recovery_capital.forms import OwnWordsForm, TieForm

TAB = "recovery_capital"


def _page(
    request: SignedInRequest,
    client: Client,
    *,
    tie_form: TieForm | None = None,
    words_form: OwnWordsForm | None = None,
    status: int = 200,
    opened: AuditEvent | None = None,
) -> HttpResponse:
    """`opened`: the read of the client's record, written with the page's own read."""
    today = timezone.localdate()
    words = queries.own_words(client)
    keeps = services.may_keep(request.user, client)
    clinical = (
        queries.clinical_part(client, today)
        if user_may(request.user, client, Action.READ_CLINICAL)
        else {}
    )
    network = queries.ties(client)
    record_reads(
        opened,
        audit_event(
            actor=request.user,
            action="view",
            client_id=client.pk,
            object_type="recovery_capital",
            changes={"clinical": bool(clinical)},
        ),
    )
    context = client_page(
        request.user,
        client,
        TAB,
        network=[t for t in network if t.ended_on is None],
        ended=[t for t in network if t.ended_on is not None],
        words=words,
        keeps=keeps,
        tie_form=tie_form or (TieForm(prefix="tie") if keeps else None),
        words_form=words_form
        or (
            OwnWordsForm(
                prefix="words",
                initial={
                    "text": words.text if words else "",
                    "version": words.version if words else 0,
                },
            )
            if keeps
            else None
        ),
        today=today,
        reads_clinical=bool(clinical),
        **clinical,
    )
    return render(request, "recovery_capital/tab.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def recovery_capital(request: SignedInRequest, client_id: int) -> HttpResponse:
    client = client_for(
        user=request.user, client_id=client_id, action=Action.VIEW, audit=request.method != "GET"
    )
    if request.method == "GET":
        return _page(request, client, opened=client_read(request.user, client))
    if not services.may_keep(request.user, client):
        raise Http404
    form = OwnWordsForm(request.POST, prefix="words")
    status = 400
    if form.is_valid():
        try:
            services.own_words_save(client=client, by=request.user, **form.cleaned_data)
        except VersionConflict:
            form.add_error(
                None, "Someone saved their words in between: read them, then save again."
            )
            status = 409
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Saved: their words.")
            return redirect(TAB, client_id=client.pk)
    return _page(request, client, words_form=form, status=status)


@login_required
@require_POST
def tie_add(request: SignedInRequest, client_id: int) -> HttpResponse:
    client = client_for(user=request.user, client_id=client_id, action=Action.VIEW)
    if not services.may_keep(request.user, client):
        raise Http404
    form = TieForm(request.POST, prefix="tie")
    if form.is_valid():
        try:
            services.tie_add(client=client, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Saved: {form.cleaned_data['name']} is in the network.")
            return redirect(TAB, client_id=client.pk)
    return _page(request, client, tie_form=form, status=400)


@login_required
@require_POST
def tie_end(request: SignedInRequest, client_id: int, tie_id: int) -> HttpResponse:
    client = client_for(user=request.user, client_id=client_id, action=Action.VIEW)
    tie = client.support_ties.filter(pk=tie_id).first()
    if tie is None or not services.may_keep(request.user, client):
        raise Http404
    services.tie_end(tie=tie, by=request.user)
    messages.success(request, f"Saved: {tie.name} is no longer part of the network.")
    return redirect(TAB, client_id=client.pk)

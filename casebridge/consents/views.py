"""Consent and disclosure pages on the client record. Clients are fetched through the access
policy; anything going out of the program goes through the disclosure gate in the services."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from casebridge.access.policy import Action
from casebridge.accounts.http import SignedInRequest
from casebridge.audit.services import audit_record, record_print
from casebridge.audit.versions import VersionConflict
from casebridge.clients.models import Client
from casebridge.clients.queries import client_for, client_page
from casebridge.consents import queries, services
from casebridge.consents.forms import (
    ConditionForm,
    ConsentForm,
    DisclosureForm,
    EmergencyDisclosureForm,
    EventForm,
    PeriodForm,
    RevokeForm,
)
from casebridge.consents.gate import Recipient, revocation_refusal, state_on
from casebridge.consents.models import Consent, Disclosure, Language
from casebridge.consents.notices import HOW_TO_REVOKE, REDISCLOSURE_NOTICE
from casebridge.formtools import apply_errors, error_text, offer_latest


def _consent(client: Client, consent_id: int) -> Consent:
    consent = client.consents.select_related("recipient_collateral").filter(pk=consent_id).first()
    if consent is None:
        raise Http404
    return consent


@login_required
def consent_list(request: SignedInRequest, client_id: int) -> HttpResponse:
    client = client_for(user=request.user, client_id=client_id)
    return render(
        request,
        "consents/list.html",
        client_page(request.user, client, "consent_list", consents=queries.consents_for(client)),
    )


def _consent_form_view(
    request: SignedInRequest, client: Client, consent: Consent | None
) -> HttpResponse:
    initial: dict[str, Any] = {}
    if consent is None:
        initial = {
            "patient_name": client.legal_name,
            "disclosing_party": client.organisation.name,
            "signed_by": client.legal_name,
            "signed_on": timezone.localdate(),
            "language": Language.SPANISH
            if client.preferred_language.lower().startswith("span")
            else Language.ENGLISH,
        }
    else:
        initial = {"version": consent.version}
    form = ConsentForm(
        request.POST or None,
        request.FILES or None,
        instance=consent,
        initial=initial,
        client=client,
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        activate = "activate" in request.POST
        fields = {
            name: form.cleaned_data[name]
            for name in services.CONSENT_FIELDS
            if name in form.cleaned_data
        }
        if not fields.get("signature_scan") and consent is not None:
            fields.pop("signature_scan", None)
        try:
            saved = services.consent_save(
                client=client,
                by=request.user,
                activate=activate,
                consent=consent,
                version=form.cleaned_data.get("version"),
                **fields,
            )
        except services.ConsentLocked as error:
            form.add_error(None, str(error))
        except VersionConflict as error:
            conflict = error
            if consent is not None:
                consent.refresh_from_db()
                offer_latest(form, consent.version)
        except ValidationError as error:
            apply_errors(form, error)
            if activate:
                form.add_error(
                    None,
                    "The consent is not active yet: fill in what is marked below, or save it as a draft.",
                )
        else:
            messages.success(request, "Consent is now in effect." if activate else "Draft saved.")
            return redirect("consent_detail", client_id=client.pk, consent_id=saved.pk)
    return render(
        request,
        "consents/form.html",
        client_page(
            request.user,
            client,
            "consent_list",
            form=form,
            consent=consent,
            how_to_revoke=HOW_TO_REVOKE["en"],
            conflict=conflict,
        ),
        status=409 if conflict else 200,
    )


@login_required
def consent_new(request: SignedInRequest, client_id: int) -> HttpResponse:
    client = client_for(user=request.user, client_id=client_id, action=Action.MANAGE_CONSENTS)
    return _consent_form_view(request, client, None)


@login_required
def consent_edit(request: SignedInRequest, client_id: int, consent_id: int) -> HttpResponse:
    client = client_for(user=request.user, client_id=client_id, action=Action.MANAGE_CONSENTS)
    consent = _consent(client, consent_id)
    if consent.status != "draft":
        messages.error(
            request, "A consent in effect cannot be changed. Revoke it and record a new one."
        )
        return redirect("consent_detail", client_id=client.pk, consent_id=consent.pk)
    return _consent_form_view(request, client, consent)


@login_required
def consent_detail(request: SignedInRequest, client_id: int, consent_id: int) -> HttpResponse:
    client = client_for(user=request.user, client_id=client_id)
    consent = _consent(client, consent_id)
    context = client_page(
        request.user,
        client,
        "consent_list",
        consent=consent,
        state=state_on(consent, timezone.localdate()),
        revoke_form=RevokeForm(),
        event_form=EventForm(initial={"happened_on": timezone.localdate()}),
        condition_form=ConditionForm(initial={"met_on": timezone.localdate()}),
        revocation_refusal=revocation_refusal(consent, timezone.localdate()),
        court_team=queries.court_team_of(client, consent),
    )
    # What was shared under the consent is for those who share; others see the consent alone.
    context["used"] = (
        list(consent.disclosures.select_related("disclosed_by")[:50])
        if Action.DISCLOSE in context["allowed"]
        else []
    )
    return render(request, "consents/detail.html", context)


@login_required
@require_POST
def consent_revoke(request: SignedInRequest, client_id: int, consent_id: int) -> HttpResponse:
    client = client_for(user=request.user, client_id=client_id, action=Action.MANAGE_CONSENTS)
    consent = _consent(client, consent_id)
    form = RevokeForm(request.POST)
    if form.is_valid():
        try:
            services.consent_revoke(
                consent=consent,
                by=request.user,
                revoked_on=form.cleaned_data["revoked_on"],
                method=form.cleaned_data["method"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Consent revoked. Nothing more will be shared under it.")
    else:
        problems = [str(m) for errors in form.errors.values() for m in errors]
        messages.error(
            request, "Give the date the client revoked the consent and how. " + " ".join(problems)
        )
    return redirect("consent_detail", client_id=client.pk, consent_id=consent.pk)


def _record_day(
    request: SignedInRequest,
    client_id: int,
    consent_id: int,
    form_class: type[EventForm] | type[ConditionForm],
    record: Callable[..., Consent],
    done: str,
) -> HttpResponse:
    """Record the day something happened to the consent (one date field), then back to it."""
    client = client_for(user=request.user, client_id=client_id, action=Action.MANAGE_CONSENTS)
    consent = _consent(client, consent_id)
    form = form_class(request.POST)
    (field,) = form.fields
    if form.is_valid():
        try:
            record(consent=consent, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, done)
    else:
        messages.error(request, error_text(form, field) or "Give the date.")
    return redirect("consent_detail", client_id=client.pk, consent_id=consent.pk)


@login_required
@require_POST
def consent_event(request: SignedInRequest, client_id: int, consent_id: int) -> HttpResponse:
    return _record_day(
        request,
        client_id,
        consent_id,
        EventForm,
        services.consent_event_happened,
        "Recorded: the consent has ended.",
    )


@login_required
@require_POST
def consent_condition(request: SignedInRequest, client_id: int, consent_id: int) -> HttpResponse:
    return _record_day(
        request,
        client_id,
        consent_id,
        ConditionForm,
        services.consent_condition_met,
        "Recorded: the client may now revoke the consent.",
    )


def _language(lang: str) -> str:
    if lang not in {"en", "es"}:
        raise Http404
    return lang


@login_required
def consent_print(
    request: SignedInRequest, client_id: int, consent_id: int, lang: str
) -> HttpResponse:
    client = client_for(user=request.user, client_id=client_id, action=Action.MANAGE_CONSENTS)
    consent = _consent(client, consent_id)
    record_print(
        actor=request.user,
        client_id=client.pk,
        object_type="consent",
        object_id=consent.pk,
        language=lang,
    )
    return render(
        request,
        f"consents/print/consent_{_language(lang)}.html",
        {
            "client": client,
            "consent": consent,
            "how_to_revoke": HOW_TO_REVOKE[lang],
            "today": timezone.localdate(),
        },
    )


@login_required
def revocation_print(
    request: SignedInRequest, client_id: int, consent_id: int, lang: str
) -> HttpResponse:
    client = client_for(user=request.user, client_id=client_id, action=Action.MANAGE_CONSENTS)
    consent = _consent(client, consent_id)
    record_print(
        actor=request.user,
        client_id=client.pk,
        object_type="revocation_form",
        object_id=consent.pk,
        language=lang,
    )
    return render(
        request,
        f"consents/print/revocation_{_language(lang)}.html",
        {"client": client, "consent": consent},
    )


@login_required
def consent_scan(request: SignedInRequest, client_id: int, consent_id: int) -> FileResponse:
    client = client_for(user=request.user, client_id=client_id, action=Action.MANAGE_CONSENTS)
    consent = _consent(client, consent_id)
    if not consent.signature_scan:
        raise Http404
    audit_record(
        actor=request.user,
        action="view",
        client_id=client.pk,
        object_type="consent_scan",
        object_id=consent.pk,
    )
    return FileResponse(
        consent.signature_scan.open("rb"), as_attachment=False, filename=f"consent-{consent.pk}"
    )


@login_required
def disclosure_list(request: SignedInRequest, client_id: int) -> HttpResponse:
    client = client_for(user=request.user, client_id=client_id, action=Action.DISCLOSE)
    return render(
        request,
        "consents/disclosures.html",
        client_page(
            request.user,
            client,
            "disclosure_list",
            disclosures=list(queries.disclosures_for(client)[:200]),
        ),
    )


@login_required
def disclosure_new(request: SignedInRequest, client_id: int) -> HttpResponse:
    client = client_for(user=request.user, client_id=client_id, action=Action.DISCLOSE)
    form = DisclosureForm(request.POST or None, client=client)
    refusal = None
    if request.method == "POST" and form.is_valid():
        collateral = form.cleaned_data["recipient_collateral"]
        recipient = Recipient(
            name=collateral.name if collateral else form.cleaned_data["recipient_name"].strip(),
            collateral_id=collateral.pk if collateral else None,
            is_health_care=form.cleaned_data["is_health_care"],
        )
        try:
            disclosure = services.disclosure_record(
                client=client,
                by=request.user,
                recipient=recipient,
                categories=set(form.cleaned_data["categories"]),
                purpose=form.cleaned_data["purpose"],
                description=form.cleaned_data["description"],
                body=form.cleaned_data["body"],
                method=form.cleaned_data["method"],
            )
        except services.DisclosureRefused as error:
            refusal = error.decision
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                "Recorded. Print or send the document below; it carries the required notice.",
            )
            return redirect("disclosure_document", client_id=client.pk, disclosure_id=disclosure.pk)
    return render(
        request,
        "consents/disclosure_form.html",
        client_page(request.user, client, "disclosure_list", form=form, refusal=refusal),
    )


@login_required
def disclosure_emergency(request: SignedInRequest, client_id: int) -> HttpResponse:
    client = client_for(user=request.user, client_id=client_id, action=Action.DISCLOSE)
    form = EmergencyDisclosureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.disclosure_record_emergency(
                client=client, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.warning(request, "Emergency disclosure recorded.")
            return redirect("disclosure_list", client_id=client.pk)
    return render(
        request,
        "consents/emergency_form.html",
        client_page(request.user, client, "disclosure_list", form=form),
    )


@login_required
def disclosure_document(
    request: SignedInRequest, client_id: int, disclosure_id: int
) -> HttpResponse:
    client = client_for(user=request.user, client_id=client_id, action=Action.DISCLOSE)
    disclosure: Disclosure | None = (
        client.disclosures.select_related("consent", "disclosed_by")
        .filter(pk=disclosure_id)
        .first()
    )
    if disclosure is None:
        raise Http404
    record_print(
        actor=request.user,
        client_id=client.pk,
        object_type="disclosure",
        object_id=disclosure.pk,
    )
    return render(
        request,
        "consents/print/disclosure.html",
        {
            "client": client,
            "disclosure": disclosure,
            "notice": REDISCLOSURE_NOTICE["en"],
            # A reprint is a record of what was sent, not permission to send it again.
            "consent_state": state_on(disclosure.consent, timezone.localdate())
            if disclosure.consent
            else "",
        },
    )


@login_required
def accounting(request: SignedInRequest, client_id: int) -> HttpResponse:
    client = client_for(user=request.user, client_id=client_id, action=Action.DISCLOSE)
    today = timezone.localdate()
    form = PeriodForm(
        request.GET
        or {"since": (today - timedelta(days=3 * 365 + 1)).isoformat(), "until": today.isoformat()}
    )
    disclosures: list[Disclosure] = []
    if form.is_valid():
        disclosures = list(
            queries.accounting(client, form.cleaned_data["since"], form.cleaned_data["until"])
        )
        record_print(
            actor=request.user,
            client_id=client.pk,
            object_type="accounting_of_disclosures",
            since=form.cleaned_data["since"],
            until=form.cleaned_data["until"],
        )
    return render(
        request,
        "consents/print/accounting.html",
        {"client": client, "form": form, "disclosures": disclosures, "today": today},
    )

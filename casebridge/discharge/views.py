"""The Discharge tab: the aftercare plan (for everyone who may open the client, the coach
included: it is what coaching after discharge needs), and the discharge summaries (clinical:
read_clinical), written and signed by those who write plans, downloaded as a PDF for the client,
and sent out of the program only through the consent gate (disclose)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from casebridge.access.policy import Action
from casebridge.accounts.http import SignedInRequest
from casebridge.audit.services import audit_record, record_print
from casebridge.audit.versions import VersionConflict
from casebridge.clients.models import Client
from casebridge.clients.queries import client_for, client_page
from casebridge.consents.services import DisclosureRefused
from casebridge.discharge import pdf, printing, queries, services
from casebridge.discharge.forms import AftercarePlanForm, FinaliseForm, SendForm, SummaryForm
from casebridge.discharge.models import CARE_KIND_NAMES, DischargeSummary
from casebridge.formtools import apply_errors, offer_latest, save_versioned

OUT_OF_DATE = "This page was out of date, so nothing was changed. Look again and retry."


def _summary(client: Client, summary_id: int) -> DischargeSummary:
    summary = queries.summary_of(client, summary_id)
    if summary is None:
        raise Http404
    return summary


@login_required
def discharge_home(request: SignedInRequest, client_id: int) -> HttpResponse:
    """The aftercare plan for everyone who may open the client; the summaries for those who read
    the clinical record."""
    client = client_for(user=request.user, client_id=client_id, action=Action.VIEW)
    context = client_page(request.user, client, "discharge_home")
    can = context["can"]
    plan = queries.aftercare_of(client)
    aftercare = queries.aftercare_facts(plan, client)
    summaries = queries.summaries_for(client) if can[Action.READ_CLINICAL] else []
    context.update(
        aftercare_plan=plan,
        aftercare=printing.printable_aftercare(client=client, aftercare=aftercare, lang="en"),
        summaries=summaries,
        draft=next((s for s in summaries if not s.is_final), None),
    )
    return render(request, "discharge/home.html", context)


@login_required
def aftercare_edit(request: SignedInRequest, client_id: int) -> HttpResponse:
    """Write the aftercare plan, or change it (those who write plans)."""
    client = client_for(user=request.user, client_id=client_id, action=Action.PLAN)
    plan = queries.aftercare_of(client)
    if plan is not None:
        initial: dict[str, Any] = {
            name: getattr(plan, name)
            for name in [
                "starts_on",
                "weekly_weeks",
                "fortnightly_weeks",
                "monthly_months",
                "relapse_prevention",
                *CARE_KIND_NAMES,
            ]
        } | {"version": plan.version}
    else:
        initial = {"version": 0, "starts_on": queries.default_discharge_day(client)}
    form = AftercarePlanForm(request.POST or None, initial=initial)
    conflict: VersionConflict | None = None
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.aftercare_save(
                    client=client,
                    by=request.user,
                    version=data["version"],
                    starts_on=data["starts_on"],
                    weekly_weeks=data["weekly_weeks"],
                    fortnightly_weeks=data["fortnightly_weeks"],
                    monthly_months=data["monthly_months"],
                    care={name: data[name] for name in CARE_KIND_NAMES},
                    relapse_prevention=data["relapse_prevention"],
                )
            except VersionConflict as error:
                conflict = error
                latest = queries.aftercare_of(client)
                offer_latest(form, latest.version if latest else 0)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, "Aftercare plan saved.")
                return redirect("discharge_home", client_id=client.pk)
        elif "version" in form.errors:
            form.errors.pop("version")
            form.add_error(None, OUT_OF_DATE)
    context = client_page(
        request.user, client, "discharge_home", plan=plan, form=form, conflict=conflict
    )
    status = 409 if conflict else (400 if request.method == "POST" else 200)
    return render(request, "discharge/aftercare_edit.html", context, status=status)


@login_required
@require_POST
def summary_start(request: SignedInRequest, client_id: int) -> HttpResponse:
    client = client_for(user=request.user, client_id=client_id, action=Action.PLAN)
    try:
        summary = services.summary_start(client=client, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("discharge_home", client_id=client.pk)
    messages.success(request, "Discharge summary drafted. Add your recommendations.")
    return redirect("discharge_summary_edit", client_id=client.pk, summary_id=summary.pk)


def _detail(
    request: SignedInRequest,
    client: Client,
    summary: DischargeSummary,
    *,
    status: int = 200,
    **forms: Any,
) -> HttpResponse:
    context = client_page(request.user, client, "discharge_home")
    # Reading a summary reads the record's clinical content: on the trail by its id.
    audit_record(
        actor=request.user,
        action="view",
        client_id=client.pk,
        object_type=services.SUMMARY,
        object_id=summary.pk,
    )
    facts = queries.facts_of(summary)
    context.update(
        summary=summary,
        printed=printing.printable(client=client, summary=summary, facts=facts, lang="en"),
        finalise_form=forms.get("finalise_form")
        or FinaliseForm(initial={"version": summary.version}),
        send_form=forms.get("send_form") or SendForm(auto_id="send-%s"),
        disclosures=queries.disclosures_of(summary),
        conflict=forms.get("conflict"),
    )
    return render(request, "discharge/summary_detail.html", context, status=status)


@login_required
def summary_detail(request: SignedInRequest, client_id: int, summary_id: int) -> HttpResponse:
    client = client_for(user=request.user, client_id=client_id, action=Action.READ_CLINICAL)
    return _detail(request, client, _summary(client, summary_id))


@login_required
def summary_edit(request: SignedInRequest, client_id: int, summary_id: int) -> HttpResponse:
    client = client_for(user=request.user, client_id=client_id, action=Action.PLAN)
    summary = _summary(client, summary_id)
    if summary.is_final:
        messages.error(request, services.LOCKED_MESSAGE)
        return redirect("discharge_summary_detail", client_id=client.pk, summary_id=summary.pk)
    form = SummaryForm(
        request.POST or None,
        initial={
            "version": summary.version,
            "discharged_on": summary.discharged_on,
            "recommendations": summary.recommendations,
        },
    )
    conflict: VersionConflict | None = None
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                attempt = save_versioned(
                    form,
                    lambda: services.summary_save(
                        summary=summary,
                        by=request.user,
                        version=data["version"],
                        discharged_on=data["discharged_on"],
                        recommendations=data["recommendations"],
                    ),
                    record=summary,
                )
            except services.SummaryLocked as error:
                messages.error(request, str(error))
                return redirect(
                    "discharge_summary_detail", client_id=client.pk, summary_id=summary.pk
                )
            if attempt.saved:
                messages.success(request, "Discharge summary saved.")
                return redirect(
                    "discharge_summary_detail", client_id=client.pk, summary_id=summary.pk
                )
            conflict = attempt.conflict
        elif "version" in form.errors:
            form.errors.pop("version")
            form.add_error(None, OUT_OF_DATE)
    context = client_page(
        request.user, client, "discharge_home", summary=summary, form=form, conflict=conflict
    )
    status = 409 if conflict else (400 if request.method == "POST" else 200)
    return render(request, "discharge/summary_edit.html", context, status=status)


@login_required
@require_POST
def summary_finalise(request: SignedInRequest, client_id: int, summary_id: int) -> HttpResponse:
    client = client_for(user=request.user, client_id=client_id, action=Action.PLAN)
    summary = _summary(client, summary_id)
    form = FinaliseForm(request.POST)
    if not form.is_valid():
        if "version" in form.errors:
            form.errors.pop("version")
            form.add_error(None, OUT_OF_DATE)
        return _detail(request, client, summary, status=400, finalise_form=form)
    try:
        services.summary_finalise(
            summary=summary, by=request.user, version=form.cleaned_data["version"]
        )
    except services.SummaryLocked as error:
        messages.error(request, str(error))
    except VersionConflict as error:
        # The page comes back as it now is, with what the other person changed at its top;
        # signing again is a deliberate choice made after reading it.
        summary.refresh_from_db()
        return _detail(request, client, summary, status=409, conflict=error)
    else:
        messages.success(request, "Signed. The discharge summary is final and can be sent.")
    return redirect("discharge_summary_detail", client_id=client.pk, summary_id=summary.pk)


@login_required
def summary_pdf(request: SignedInRequest, client_id: int, summary_id: int) -> HttpResponse:
    """The client's own copy, in English or Spanish: on the audit trail as a printout; it goes
    to the client, so no consent is asked."""
    client = client_for(user=request.user, client_id=client_id, action=Action.PLAN)
    summary = _summary(client, summary_id)
    printed = printing.printable(
        client=client,
        summary=summary,
        facts=queries.facts_of(summary),
        lang=printing.language_for(client, request.GET.get("lang")),
    )
    record_print(
        actor=request.user,
        client_id=client.pk,
        object_type=services.SUMMARY,
        object_id=summary.pk,
        format="pdf",
        language=printed.lang,
    )
    response = HttpResponse(pdf.printed_pdf(printed), content_type="application/pdf")
    # The file name carries no name or case number: only the summary's number.
    response["Content-Disposition"] = (
        f'attachment; filename="discharge-summary-{summary.pk}-{printed.lang}.pdf"'
    )
    return response


@login_required
def aftercare_pdf(request: SignedInRequest, client_id: int) -> HttpResponse:
    """The aftercare plan on its own, for the client to keep, in English or Spanish (those who
    write plans print it; it goes to the client, so no consent is asked)."""
    client = client_for(user=request.user, client_id=client_id, action=Action.PLAN)
    plan = queries.aftercare_of(client)
    if plan is None:
        raise Http404
    printed = printing.printable_aftercare(
        client=client,
        aftercare=queries.aftercare_facts(plan, client),
        lang=printing.language_for(client, request.GET.get("lang")),
    )
    record_print(
        actor=request.user,
        client_id=client.pk,
        object_type=services.AFTERCARE,
        object_id=plan.pk,
        format="pdf",
        language=printed.lang,
    )
    response = HttpResponse(
        pdf.printed_pdf(printed, footer_key="aftercare_page"), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="aftercare-plan-{printed.lang}.pdf"'
    return response


def _as_text(printed: printing.PrintedSummary) -> str:
    """The summary as it is sent, in plain text, kept with the disclosure."""
    parts = [printed.title, *printed.intro]
    for section in printed.sections:
        parts.append("")
        parts.append(section.heading)
        parts += [f"- {line}" for line in section.lines] or (
            [section.empty] if section.empty else []
        )
    return "\n".join(parts)


@login_required
@require_POST
def summary_send(request: SignedInRequest, client_id: int, summary_id: int) -> HttpResponse:
    """Send a final summary out of the program, through the consent gate."""
    client = client_for(user=request.user, client_id=client_id, action=Action.DISCLOSE)
    summary = _summary(client, summary_id)
    form = SendForm(request.POST, auto_id="send-%s")
    if form.is_valid():
        data = form.cleaned_data
        printed = printing.printable(
            client=client, summary=summary, facts=queries.facts_of(summary), lang="en"
        )
        try:
            services.summary_send(
                summary=summary,
                by=request.user,
                recipient=data["recipient"],
                is_health_care=data["is_health_care"],
                purpose=data["purpose"],
                method=data["method"],
                description=data["description"],
                body=_as_text(printed),
            )
        except DisclosureRefused as refused:
            form.add_error(None, str(refused))
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Discharge summary sent and recorded as a disclosure.")
            return redirect("discharge_summary_detail", client_id=client.pk, summary_id=summary.pk)
    return _detail(request, client, summary, status=400, send_form=form)

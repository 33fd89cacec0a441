"""The Measures tab: give an instrument, see the result in plain words, follow the trend."""

import contextlib
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from casebridge.access.policy import Action
from casebridge.accounts.http import SignedInRequest
from casebridge.assessments import charts, queries, services
from casebridge.assessments.biopsychosocial import (
    ASAM_DIMENSIONS,
    LEVEL_NAMES,
    NEED_DOMAINS,
    NEED_SEVERITY,
    PART_TITLES,
    SECTIONS,
    SUBSTANCE_ROUTES,
    Question,
    suggest_level,
)
from casebridge.assessments.definitions import DefinitionError, all_instruments, definition_of
from casebridge.assessments.definitions import instrument as get_instrument
from casebridge.assessments.forms import (
    AddendumForm,
    AssessmentForm,
    InstrumentForm,
    SubstanceFormSet,
    carried_note,
    substances_from,
)
from casebridge.assessments.models import Assessment
from casebridge.assessments.scoring import AnswersInvalid, change_since, score
from casebridge.audit.services import record_print
from casebridge.audit.versions import VersionConflict
from casebridge.clients.models import Client, Substance
from casebridge.clients.queries import client_for, client_page
from casebridge.formtools import apply_errors, offer_latest

CRISIS_LINE = "988 Suicide & Crisis Lifeline: call or text 988"


def _page(request: SignedInRequest, client: Client, **extra: Any) -> dict[str, Any]:
    return client_page(request.user, client, "measures", **extra)


@login_required
def measures(request: SignedInRequest, client_id: int) -> HttpResponse:
    client = client_for(user=request.user, client_id=client_id, action=Action.READ_CLINICAL)
    found = queries.history(client)
    due = {item.label: item for item in queries.instruments_due([client.pk]).get(client.pk, [])}
    rows: list[dict[str, Any]] = []
    for code, definition in all_instruments().items():
        responses = found.get(code, [])
        rows.append(
            {
                "instrument": definition,
                "responses": responses,
                "latest": responses[-1] if responses else None,
                "chart": charts.trend(definition, responses),
                "due": due.get(definition.name),
            }
        )
    rows.sort(key=lambda row: (row["latest"] is None, row["instrument"].name))
    return render(request, "assessments/measures.html", _page(request, client, rows=rows))


@login_required
def measure_new(request: SignedInRequest, client_id: int, code: str) -> HttpResponse:
    client = client_for(user=request.user, client_id=client_id, action=Action.ASSESS)
    try:
        definition = get_instrument(code)
    except DefinitionError:
        raise Http404 from None
    form = InstrumentForm(request.POST or None, instrument=definition)
    if request.method == "POST" and form.is_valid():
        try:
            response = services.instrument_record(
                client=client,
                by=request.user,
                code=code,
                answers=form.answers(),
                context=form.context(),
            )
        except AnswersInvalid as error:
            form.show_problems(error.problems)
            form.add_error(
                None, "Some answers are missing or do not fit together. They are marked below."
            )
        else:
            if response.safety_concern:
                messages.error(request, "Safety: act on this today. See below.")
            return redirect("measure_result", client_id=client.pk, response_id=response.pk)
    return render(
        request,
        "assessments/administer.html",
        _page(request, client, form=form, instrument=definition),
    )


@login_required
def measure_result(request: SignedInRequest, client_id: int, response_id: int) -> HttpResponse:
    client = client_for(user=request.user, client_id=client_id, action=Action.READ_CLINICAL)
    response = client.instrument_responses.filter(pk=response_id).first()
    if response is None:
        raise Http404
    # Read back against the version it was given on: its wording, its skip logic.
    definition = definition_of(response.instrument, response.version) or get_instrument(
        response.instrument
    )
    previous = queries.previous_response(response)
    context = _page(
        request,
        client,
        response=response,
        instrument=definition,
        band=(rescored := score(definition, response.answers, response.context)).band,
        notes=rescored.notes,
        score_labels=definition.score_labels,
        change=change_since(
            definition, previous.primary_score if previous else None, response.primary_score
        ),
        safety_messages=[
            rule["message"]
            for rule in definition.safety
            if response.answers.get(str(rule["item"]), 0) >= rule["at_least"]
        ],
        crisis_line=CRISIS_LINE,
        answers=[
            (
                item,
                next(
                    (o.label for o in item.options if o.value == response.answers.get(item.id)),
                    "Not asked",
                ),
            )
            for item in definition.items
        ],
    )
    return render(request, "assessments/result.html", context)


def _assessment(client: Client, assessment_id: int) -> Assessment:
    assessment = (
        client.assessments.select_related("signed_by", "created_by")
        .filter(pk=assessment_id)
        .first()
    )
    if assessment is None:
        raise Http404
    return assessment


def _assessment_page(request: SignedInRequest, client: Client, **extra: Any) -> dict[str, Any]:
    return client_page(request.user, client, "assessment_list", **extra)


@login_required
def assessment_list(request: SignedInRequest, client_id: int) -> HttpResponse:
    client = client_for(user=request.user, client_id=client_id, action=Action.READ_CLINICAL)
    assessments = list(client.assessments.select_related("signed_by", "created_by"))
    return render(
        request,
        "assessments/assessment_list.html",
        _assessment_page(request, client, assessments=assessments, level_names=LEVEL_NAMES),
    )


@login_required
@require_POST
def assessment_new(request: SignedInRequest, client_id: int) -> HttpResponse:
    client = client_for(user=request.user, client_id=client_id, action=Action.ASSESS)
    assessment = services.assessment_start(client=client, by=request.user)
    return redirect("assessment_edit", client_id=client.pk, assessment_id=assessment.pk)


@login_required
def assessment_edit(request: SignedInRequest, client_id: int, assessment_id: int) -> HttpResponse:
    client = client_for(user=request.user, client_id=client_id, action=Action.ASSESS)
    assessment = _assessment(client, assessment_id)
    if assessment.status != "draft":
        return redirect("assessment_detail", client_id=client.pk, assessment_id=assessment.pk)
    form = AssessmentForm(request.POST or None, assessment=assessment)
    substances = SubstanceFormSet(request.POST or None, prefix="sub", initial=assessment.substances)
    conflict = None
    if request.method == "POST" and form.is_valid() and substances.is_valid():
        sign = "sign" in request.POST
        try:
            saved = services.assessment_save(
                assessment=assessment,
                by=request.user,
                version=form.cleaned_data["version"],
                substances=substances_from(substances),
                sign=sign,
                confirmed=form.confirmed(),
                **form.collected(),
            )
        except services.AssessmentLocked:
            messages.error(
                request,
                "Someone signed this assessment while you were working on it. Add an addendum instead.",
            )
            return redirect("assessment_detail", client_id=client.pk, assessment_id=assessment.pk)
        except VersionConflict as error:
            # Their typed values stay in the form; saving again is a choice made after reading
            # what the other person changed.
            conflict = error
            assessment.refresh_from_db()
            offer_latest(form, assessment.version)
        except ValidationError as error:
            apply_errors(form, error)
            form.add_error(
                None, "Not signed yet: complete what is marked below, or save as a draft."
            )
        else:
            messages.success(request, "Assessment signed and locked." if sign else "Draft saved.")
            if sign:
                return redirect("assessment_detail", client_id=client.pk, assessment_id=saved.pk)
            return redirect("assessment_edit", client_id=client.pk, assessment_id=saved.pk)
    ratings = {
        int(d): v["rating"] for d, v in assessment.asam.items() if v.get("rating") is not None
    }
    suggestion = suggest_level(ratings) if len(ratings) == 6 else None
    return render(
        request,
        "assessments/assessment_form.html",
        _assessment_page(
            request,
            client,
            form=form,
            substances=substances,
            assessment=assessment,
            suggestion=suggestion,
            level_names=LEVEL_NAMES,
            conflict=conflict,
        ),
        status=409 if conflict else 200,
    )


@login_required
def assessment_detail(request: SignedInRequest, client_id: int, assessment_id: int) -> HttpResponse:
    client = client_for(user=request.user, client_id=client_id, action=Action.READ_CLINICAL)
    assessment = _assessment(client, assessment_id)
    form = AddendumForm(request.POST or None)
    if request.method == "POST":
        client_for(user=request.user, client_id=client_id, action=Action.ASSESS, audit=False)
        if form.is_valid():
            try:
                services.addendum_add(
                    assessment=assessment, by=request.user, text=form.cleaned_data["text"]
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, "Addendum added.")
                return redirect(
                    "assessment_detail", client_id=client.pk, assessment_id=assessment.pk
                )
    return render(
        request,
        "assessments/assessment_detail.html",
        _assessment_page(
            request,
            client,
            assessment=assessment,
            addendum_form=form,
            **summary_context(assessment),
        ),
    )


@login_required
def assessment_print(request: SignedInRequest, client_id: int, assessment_id: int) -> HttpResponse:
    # Printing the whole assessment is for the clinical team, not view-only access.
    client = client_for(user=request.user, client_id=client_id, action=Action.ASSESS)
    assessment = _assessment(client, assessment_id)
    record_print(
        actor=request.user,
        client_id=client.pk,
        object_type="assessment",
        object_id=assessment.pk,
    )
    return render(
        request,
        "assessments/assessment_print.html",
        {"client": client, "assessment": assessment, **summary_context(assessment)},
    )


def summary_context(assessment: Assessment) -> dict[str, Any]:
    """The assessment laid out for reading: sections with answers, needs, ASAM, level."""
    sections = [
        (
            section,
            [
                (q.label, _answer_text(q, assessment.sections.get(section.key, {}).get(q.key, "")))
                for q in section.questions
            ],
        )
        for section in SECTIONS
    ]
    severity = dict(NEED_SEVERITY)
    needs = [
        (
            label,
            severity.get(assessment.needs.get(domain, {}).get("severity")),
            assessment.needs.get(domain, {}).get("reason", ""),
        )
        for domain, label in NEED_DOMAINS
    ]
    asam = [
        (
            d,
            name,
            assessment.asam.get(str(d), {}).get("rating"),
            assessment.asam.get(str(d), {}).get("rationale", ""),
        )
        for d, name in ASAM_DIMENSIONS
    ]
    unconfirmed = assessment.carried_over.get("unconfirmed") or []
    return {
        "carried": {
            "note": carried_note(assessment.carried_over).removesuffix(" — confirm or change."),
            "titles": [PART_TITLES.get(part, part) for part in unconfirmed],
        }
        if unconfirmed
        else None,
        "sections": sections,
        "needs": needs,
        "asam_rows": asam,
        "addenda": list(assessment.addenda.select_related("written_by")),
        "level_names": LEVEL_NAMES,
        "substances": [_substance_row(row) for row in assessment.substances],
    }


YES_NO = {"yes": "Yes", "no": "No"}


def _answer_text(question: Question, answer: Any) -> Any:
    """A yes/no answer in words, as the form offered it; other answers as written."""
    if question.kind == "yesno":
        return YES_NO.get(answer, answer)
    return answer


def _substance_row(row: dict[str, Any]) -> dict[str, Any]:
    """One substance row with its choices in words and the last use as a date, not the codes kept.

    A code no longer offered is shown as kept rather than hidden."""
    routes = dict(SUBSTANCE_ROUTES)
    substances = dict(Substance.choices)
    last_use = row.get("last_use") or ""
    with contextlib.suppress(TypeError, ValueError):
        last_use = date.fromisoformat(last_use) if last_use else None
    return row | {
        "substance": substances.get(row.get("substance", ""), row.get("substance", "")),
        "route": routes.get(row.get("route") or "", row.get("route")) if row.get("route") else "",
        "last_use": last_use,
    }

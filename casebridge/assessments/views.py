"""The Measures tab: give an instrument, see the result in plain words, follow the trend."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from casebridge.access.policy import Action
from casebridge.assessments import charts, queries, services
from casebridge.assessments.definitions import DefinitionError, all_instruments
from casebridge.assessments.definitions import instrument as get_instrument
from casebridge.assessments.forms import InstrumentForm
from casebridge.assessments.scoring import AnswersInvalid, change_since, score
from casebridge.clients.models import Client
from casebridge.clients.queries import client_for, client_header

CRISIS_LINE = "988 Suicide & Crisis Lifeline: call or text 988"


def _page(request: HttpRequest, client: Client, **extra: Any) -> dict[str, Any]:
    return {**client_header(request.user, client), "tab": "measures", **extra}


@login_required
def measures(request: HttpRequest, client_id: int) -> HttpResponse:
    client = client_for(user=request.user, client_id=client_id)
    found = queries.history(client)
    due = {item.label: item for item in queries.instruments_due([client.pk]).get(client.pk, [])}
    rows = []
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
def measure_new(request: HttpRequest, client_id: int, code: str) -> HttpResponse:
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
            form.add_error(None, "Some questions are not answered yet. They are marked below.")
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
def measure_result(request: HttpRequest, client_id: int, response_id: int) -> HttpResponse:
    client = client_for(user=request.user, client_id=client_id)
    response = client.instrument_responses.filter(pk=response_id).first()
    if response is None:
        raise Http404
    definition = get_instrument(response.instrument)
    previous = queries.previous_response(response)
    context = _page(
        request,
        client,
        response=response,
        instrument=definition,
        band=score(definition, response.answers, response.context).band,
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

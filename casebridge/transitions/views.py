"""The Levels of care tab: where the client was and is, the transition under way with its warm
hand-off checklist, and the forms that record admissions, leaving and moves between levels."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from casebridge.access.policy import Action
from casebridge.accounts.http import SignedInRequest
from casebridge.audit.versions import VersionConflict
from casebridge.clients.models import Client
from casebridge.clients.queries import client_for, client_page, user_may
from casebridge.consents.services import DisclosureRefused
from casebridge.formtools import apply_errors, offer_latest, save_versioned
from casebridge.inputs import parse_id
from casebridge.transitions import queries, services
from casebridge.transitions.forms import (
    AdmitForm,
    CancelForm,
    DischargeForm,
    EpisodeForm,
    HandoffItemForm,
    RecordsForm,
    TransitionForm,
)
from casebridge.transitions.models import HandoffKind, HandoffState, TransitionStatus


def _page(
    request: SignedInRequest, client: Client, template: str, status: int = 200, **extra: Any
) -> HttpResponse:
    context = client_page(request.user, client, "care_levels", **extra)
    return render(request, template, context, status=status)


@login_required
def care_levels(request: SignedInRequest, client_id: int) -> HttpResponse:
    """The strip of stays and gaps, the open transition and every stay; how and why stays
    ended and moves happened only for those who read clinical content."""
    client = client_for(user=request.user, client_id=client_id, action=Action.VIEW)
    today = timezone.localdate()
    episodes = queries.episodes_of(client)
    transition = queries.open_transition(client)
    items = queries.items_of(transition) if transition else []
    past = [t for t in queries.transitions_of(client) if not t.is_open]
    if not user_may(request.user, client, Action.READ_CLINICAL):
        queries.without_clinical(episodes, [*past, *([transition] if transition else [])], items)
    return _page(
        request,
        client,
        "transitions/care_levels.html",
        episodes=list(reversed(episodes)),
        strip=queries.strip(episodes, today, moving=transition is not None),
        current=next((e for e in episodes if e.discharged_on is None), None),
        transition=transition,
        items=items,
        past_transitions=past,
        today=today,
        waited=(today - transition.left_on).days if transition else None,
    )


def _versioned(
    request: SignedInRequest,
    client: Client,
    *,
    form: Any,
    record: Any,
    save: Callable[[dict[str, Any]], object],
    done: str,
    template: str,
    may_save: bool = True,
    **context: Any,
) -> HttpResponse:
    """The form of an edit to a versioned record: on a valid post, save it (someone else's
    save in between is shown, never merged), say `done` and go back to the tab; otherwise the
    form again, with 400 or 409."""
    conflict = None
    if request.method != "POST" or not may_save:
        return _page(request, client, template, form=form, **context)
    if form.is_valid():
        attempt = save_versioned(form, lambda: save(form.cleaned_data), record=record)
        if attempt.saved:
            messages.success(request, done)
            return redirect("care_levels", client_id=client.pk)
        conflict = attempt.conflict
    status = 409 if conflict else 400
    return _page(request, client, template, status, form=form, conflict=conflict, **context)


def _planner(request: SignedInRequest, client_id: int) -> Client:
    return client_for(user=request.user, client_id=client_id, action=Action.PLAN)


@login_required
def episode_new(request: SignedInRequest, client_id: int) -> HttpResponse:
    """Where the client is: one of our programs, a service found in the agency's directory
    (searched above the form; the chosen one rides along as its id), or a place named."""
    client = _planner(request, client_id)
    chosen = queries.directory_service(client, parse_id(request.GET.get("service")))
    form = EpisodeForm(
        request.POST or None,
        programs=queries.programs_for(request.user),
        assessments=queries.signed_assessments(client),
        initial={
            "admitted_on": timezone.localdate(),
            "service": chosen.pk if chosen else None,
        },
    )
    words = (request.GET.get("q") or "").strip()[:200]
    context: dict[str, Any] = {
        "form": form,
        "chosen": chosen,
        "words": words,
        "found": queries.directory_matches(client, words) if words else None,
    }
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            service = queries.directory_service(client, data["service"])
            try:
                if data["service"] is not None and service is None:
                    raise ValidationError(
                        {"place_name": "That service is no longer in the directory; search again."}
                    )
                services.episode_admit(
                    client=client,
                    by=request.user,
                    level=data["level"],
                    admitted_on=data["admitted_on"],
                    program=form.chosen_program(),
                    service=service if form.chosen_program() is None else None,
                    place_name=data["place_name"],
                    assessment=form.chosen_assessment(),
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, "Stay recorded.")
                return redirect("care_levels", client_id=client.pk)
        return _page(request, client, "transitions/episode_form.html", 400, **context)
    return _page(request, client, "transitions/episode_form.html", **context)


@login_required
def episode_discharge(request: SignedInRequest, client_id: int, episode_id: int) -> HttpResponse:
    client = _planner(request, client_id)
    episode = queries.episode_of(client, episode_id)
    if episode is None:
        raise Http404
    form = DischargeForm(
        request.POST or None,
        initial={"version": episode.version, "discharged_on": timezone.localdate()},
    )
    return _versioned(
        request,
        client,
        form=form,
        record=episode,
        save=lambda data: services.episode_discharge(
            episode=episode,
            by=request.user,
            version=data["version"],
            discharged_on=data["discharged_on"],
            discharge_type=data["discharge_type"],
            reason=data["discharge_reason"],
        ),
        done="Leaving recorded. Care has ended for now.",
        template="transitions/discharge_form.html",
        episode=episode,
    )


@login_required
def transition_new(request: SignedInRequest, client_id: int) -> HttpResponse:
    client = _planner(request, client_id)
    current = queries.open_episode(client)
    form = TransitionForm(
        request.POST or None,
        programs=queries.programs_for(request.user),
        referrals=queries.referrals_for_transition(client),
        initial={
            "episode_version": current.version if current else 0,
            "left_on": timezone.localdate(),
        },
    )
    conflict = None
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            referral = form.chosen_referral()
            place = data["to_place_name"] or (
                referral.provider_name if referral is not None else ""
            )
            try:
                services.transition_open(
                    client=client,
                    by=request.user,
                    to_level=data["to_level"],
                    left_on=data["left_on"],
                    reason=data["reason"],
                    discharge_type=data["discharge_type"],
                    to_program=form.chosen_program(),
                    to_service=referral.service if referral is not None else None,
                    to_place_name=place,
                    referral=referral,
                    episode_version=data["episode_version"],
                )
            except VersionConflict as error:
                conflict = error
                if current is not None:
                    current.refresh_from_db()
                    offer_latest_episode(form, current.version)
            except ValidationError as error:
                apply_errors(form, _place_errors(error))
            else:
                messages.success(request, "Transition opened. Work through the hand-off below.")
                return redirect("care_levels", client_id=client.pk)
        return _page(
            request,
            client,
            "transitions/transition_form.html",
            409 if conflict else 400,
            form=form,
            current=current,
            conflict=conflict,
        )
    return _page(request, client, "transitions/transition_form.html", form=form, current=current)


def offer_latest_episode(form: TransitionForm, version: int) -> None:
    """As formtools.offer_latest, for the stay's version this form carries."""
    data = form.data.copy()  # type: ignore[attr-defined]  # a QueryDict
    data["episode_version"] = str(version)
    form.data = data


def _place_errors(error: ValidationError) -> ValidationError:
    """The place's errors on the transition form's own field names."""
    if not hasattr(error, "error_dict"):
        return error
    renamed = {"program": "to_program", "place_name": "to_place_name"}
    return ValidationError(
        {renamed.get(name, name): errors for name, errors in error.error_dict.items()}
    )


def _transition(client: Client, transition_id: int) -> Any:
    transition = queries.transition_of(client, transition_id)
    if transition is None:
        raise Http404
    return transition


@login_required
def transition_admit(request: SignedInRequest, client_id: int, transition_id: int) -> HttpResponse:
    client = _planner(request, client_id)
    transition = _transition(client, transition_id)
    form = AdmitForm(
        request.POST or None,
        assessments=queries.signed_assessments(client),
        initial={"version": transition.version, "admitted_on": timezone.localdate()},
    )
    return _versioned(
        request,
        client,
        form=form,
        record=transition,
        save=lambda data: services.transition_admit(
            transition=transition,
            by=request.user,
            version=data["version"],
            admitted_on=data["admitted_on"],
            assessment=form.chosen_assessment(),
        ),
        done=f"Admission at {transition.to_place_name} recorded.",
        template="transitions/admit_form.html",
        may_save=transition.status == TransitionStatus.OPEN,
        transition=transition,
    )


@login_required
def transition_cancel(request: SignedInRequest, client_id: int, transition_id: int) -> HttpResponse:
    client = _planner(request, client_id)
    transition = _transition(client, transition_id)
    form = CancelForm(request.POST or None, initial={"version": transition.version})
    return _versioned(
        request,
        client,
        form=form,
        record=transition,
        save=lambda data: services.transition_cancel(
            transition=transition,
            by=request.user,
            version=data["version"],
            reason=data["reason"],
        ),
        done="Transition cancelled.",
        template="transitions/cancel_form.html",
        may_save=transition.status == TransitionStatus.OPEN,
        transition=transition,
    )


def _item(client: Client, item_id: int) -> Any:
    item = queries.item_of(client, item_id)
    if item is None:
        raise Http404
    return item


@login_required
def handoff_item(request: SignedInRequest, client_id: int, item_id: int) -> HttpResponse:
    client = _planner(request, client_id)
    item = _item(client, item_id)
    team = queries.team_for(client)
    appointment = timezone.localtime(item.appointment_at) if item.appointment_at else None
    form = HandoffItemForm(
        request.POST or None,
        team=team,
        initial={
            "version": item.version,
            "state": HandoffState.DONE if item.state == HandoffState.OPEN else item.state,
            "owner": str(item.owner_id or ""),
            "due_on": item.due_on,
            "details": item.details,
            "appointment_day": appointment.date() if appointment else None,
            "appointment_time": appointment.time() if appointment else None,
        },
    )
    return _versioned(
        request,
        client,
        form=form,
        record=item,
        save=lambda data: services.handoff_item_save(
            item=item,
            by=request.user,
            version=data["version"],
            state=data["state"],
            owner=form.chosen_owner(),
            due_on=data["due_on"],
            details=data["details"],
            appointment_at=data["appointment_at"],
        ),
        done=f"Saved: {item.get_kind_display()}.",
        template="transitions/item_form.html",
        item=item,
    )


@login_required
def handoff_records(request: SignedInRequest, client_id: int, item_id: int) -> HttpResponse:
    """Send the records the next level needs, only through the consent check."""
    client = client_for(user=request.user, client_id=client_id, action=Action.DISCLOSE)
    item = _item(client, item_id)
    if item.kind != HandoffKind.RECORDS_SENT:
        raise Http404
    form = RecordsForm(request.POST or None, initial={"version": item.version})
    refused = None
    conflict = None
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.handoff_records_send(
                    item=item,
                    by=request.user,
                    version=data["version"],
                    categories=data["categories"],
                    description=data["description"],
                    method=data["method"],
                )
            except DisclosureRefused as error:
                refused = error.decision
            except VersionConflict as error:
                conflict = error
                item.refresh_from_db()
                offer_latest(form, item.version)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, f"Records sent to {item.transition.to_place_name}.")
                return redirect("care_levels", client_id=client.pk)
        return _page(
            request,
            client,
            "transitions/records_form.html",
            409 if conflict else 400,
            form=form,
            item=item,
            refused=refused,
            conflict=conflict,
        )
    return _page(request, client, "transitions/records_form.html", form=form, item=item)

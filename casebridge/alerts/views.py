"""My Day, an alert and what to do with it, a client's Alerts tab, and raising a concern.

Every list of clients is a read of their records and is audited as the caseload is; an alert
opens only for someone the access policy lets see its client with the alert's action."""

import hashlib

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from casebridge.access.policy import Action, may_have_caseload, may_see_team, role_actions
from casebridge.accounts.http import SignedInRequest
from casebridge.accounts.models import User
from casebridge.alerts import queries, services, team
from casebridge.alerts.forms import (
    AlertActionForm,
    ConcernForm,
    MoveClientsForm,
    NotificationPreferenceForm,
)
from casebridge.alerts.models import Alert, AlertKind, NotificationPreference, Priority
from casebridge.audit.services import audit_record
from casebridge.clients.queries import (
    allowed_actions,
    client_for,
    client_page,
    repeated_refusals,
    user_may,
    works_with,
)
from casebridge.formtools import apply_errors, save_versioned
from casebridge.inputs import parse_id

MOVE_TARGETS_SHOWN = 25  # people listed at once on the move form


def _token(alerts: list[Alert], count: int) -> str:
    """What the person's alert list looks like now, in a few characters: the poll sends it back
    and hears "nothing new" (204) while it is the same."""
    shape = ",".join(f"{a.pk}:{a.version}:{a.state}" for a in alerts) + f"/{count}"
    return hashlib.sha256(shape.encode()).hexdigest()[:16]


def _my_day_in_step(request: SignedInRequest) -> bool:
    """Whether an alert is being worked from My Day's list and the list the page holds (its
    `seen`, sent along by htmx) is the server's list as it stands."""
    if not request.htmx or request.POST.get("next") != reverse("my_day"):
        return False
    return request.POST.get("seen") == _token(*queries.open_alerts(request.user))


def _my_alerts_seen(request: SignedInRequest) -> str:
    """My Day's alert list as it now is, for its poll and its heading's count: the card of an
    alert just worked there stays, saying so, until something else changes the list. Only for
    a page that held the whole list as it stood before (_my_day_in_step): told of a list it
    never drew, the poll would never draw an alert that came in between."""
    alerts, count = queries.open_alerts(request.user)
    return render_to_string(
        "alerts/_my_alerts_seen.html",
        {"token": _token(alerts, count), "alert_count": count},
        request,
    )


def _lower(alerts: list[Alert]) -> int:
    """How many of the alerts are of normal or low priority (folded away on My Day)."""
    return sum(1 for alert in alerts if alert.priority > Priority.HIGH)


def _audit_list(request: SignedInRequest, what: str, client_ids: list[int]) -> None:
    audit_record(
        actor=request.user, action="list", object_type=what, changes={"client_ids": client_ids}
    )


@login_required
def my_day(request: SignedInRequest) -> HttpResponse:
    if not may_have_caseload(request.user):
        raise Http404
    day = queries.my_day(request.user)
    whole = request.GET.get("whole", "")
    day.cut(whole if whole in queries.DUE_LISTS else "")
    _audit_list(request, "my_day", day.client_ids)
    return render(
        request,
        "alerts/my_day.html",
        {
            "day": day,
            "token": _token(day.alerts, day.alert_count),
            "lower_count": _lower(day.alerts),
            "poll_seconds": settings.ALERTS_POLL_SECONDS,
            "may_act": Action.RECORD_CONTACT in role_actions(request.user),
            "due_lines_shown": queries.DUE_LINES_SHOWN,
        },
    )


@login_required
def my_day_alerts(request: SignedInRequest) -> HttpResponse:
    """The alerts part of My Day, for its poll: 204 while nothing changed."""
    if not may_have_caseload(request.user):
        raise Http404
    alerts, count = queries.open_alerts(request.user)
    token = _token(alerts, count)
    if request.GET.get("seen") == token:
        return HttpResponse(status=204)
    _audit_list(request, "my_day_alerts", sorted({a.client_id for a in alerts}))
    return render(
        request,
        "alerts/_my_alerts.html",
        {
            "alerts": alerts,
            "alert_count": count,
            "token": token,
            "lower_count": _lower(alerts),
            "poll_seconds": settings.ALERTS_POLL_SECONDS,
            "may_act": Action.RECORD_CONTACT in role_actions(request.user),
            "announce": True,
        },
    )


def _alert_for(request: SignedInRequest, alert_id: int) -> Alert:
    alert = queries.alert_for(request.user, alert_id)
    if alert is None:
        raise Http404
    return alert


def _next_url(request: SignedInRequest, alert: Alert) -> str:
    target = request.POST.get("next", "")
    # A path on this site only: anything else (a bare word would be read as a URL's name) is
    # ignored for the alert's own page.
    if (
        target.startswith("/")
        and not target.startswith("//")
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return reverse("alert_detail", args=[alert.pk])


@login_required
@require_http_methods(["GET", "POST"])
def alert_detail(request: SignedInRequest, alert_id: int) -> HttpResponse:
    alert = _alert_for(request, alert_id)
    may_act = user_may(request.user, alert.client, Action.RECORD_CONTACT)
    status = 200
    form = AlertActionForm(
        request.POST or None, prefix_id=str(alert.pk), initial={"version": alert.version}
    )
    if request.method == "POST":
        if not may_act:
            raise Http404
        if form.is_valid():
            do = form.cleaned_data["do"]
            version = form.cleaned_data["version"]
            in_step = _my_day_in_step(request)

            def save() -> None:
                if do == "acknowledge":
                    services.alert_acknowledge(alert=alert, by=request.user, version=version)
                elif do == "snooze":
                    services.alert_snooze(
                        alert=alert,
                        by=request.user,
                        until=form.cleaned_data["until"],
                        version=version,
                    )
                else:
                    services.alert_resolve(
                        alert=alert,
                        by=request.user,
                        note=form.cleaned_data["note"],
                        version=version,
                    )

            attempt = save_versioned(form, save, record=alert)
            if attempt.saved:
                alert.refresh_from_db()
                if request.htmx:
                    done = render(
                        request,
                        "alerts/_alert.html",
                        {
                            "alert": alert,
                            "may_act": may_act,
                            "next": request.POST.get("next", ""),
                            "just_done": True,
                        },
                    )
                    if in_step:
                        done.write(_my_alerts_seen(request))
                    return done
                messages.success(request, "Saved.")
                return redirect(_next_url(request, alert))
            status = 409 if attempt.conflict else 400
            if attempt.conflict:
                form.add_error(None, str(attempt.conflict))
        else:
            status = 400
        if request.htmx:
            return render(
                request,
                "alerts/_alert.html",
                {
                    "alert": alert,
                    "may_act": may_act,
                    "form": form,
                    "next": request.POST.get("next", ""),
                },
                status=status,
            )
    return render(
        request,
        "alerts/alert_detail.html",
        {"alert": alert, "may_act": may_act, "form": form, "today": timezone.localdate()},
        status=status,
    )


@login_required
def client_alerts(request: SignedInRequest, client_id: int) -> HttpResponse:
    client = client_for(user=request.user, client_id=client_id, action=Action.VIEW)
    actions = allowed_actions(request.user, client)
    return render(
        request,
        "alerts/client_alerts.html",
        client_page(
            request.user,
            client,
            "client_alerts",
            **queries.client_alerts(client, actions),
            may_act=Action.RECORD_CONTACT in actions,
            may_raise=Action.VIEW in actions and works_with(request.user, client.pk),
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def concern_new(request: SignedInRequest, client_id: int) -> HttpResponse:
    """Anyone who works with the client raises a concern; emergency access is to read only."""
    client = client_for(
        user=request.user, client_id=client_id, action=Action.VIEW, include_emergency=False
    )
    form = ConcernForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.concern_raise(
                    client=client, by=request.user, text=form.cleaned_data["text"]
                )
            except ValidationError as error:
                form.add_error("text", error.messages)
            else:
                messages.success(
                    request, "Your concern was passed on. The case manager sees it on their day."
                )
                return redirect("client_alerts", client.pk)
        status = 400
    return render(
        request,
        "alerts/concern_form.html",
        client_page(request.user, client, "client_alerts", form=form, kind=AlertKind.CONCERN),
        status=status,
    )


# The supervisor's view


@login_required
def team_day(request: SignedInRequest) -> HttpResponse:
    if not may_see_team(request.user):
        raise Http404
    context = team.team_day(request.user, request.GET.get("page"))
    _audit_list(
        request,
        "team_day",
        sorted(
            {r.client.pk for r in context["high_risk"]} | {n.client_id for n in context["notes"]}
        ),
    )
    context["refusals"] = repeated_refusals(request.user)
    return render(request, "alerts/team_day.html", context)


def _load_label(person: User, load: team.CaseManagerDay | None) -> str:
    """A case manager as the move form lists them: with how full their caseload is."""
    if load is None or not load.open_cases:
        return f"{person.display_name}: no open cases"
    share = f", {load.share_of_full}% of a full caseload" if load.share_of_full is not None else ""
    return f"{person.display_name}: {load.open_cases} open{share}"


@login_required
@require_http_methods(["GET", "POST"])
def team_move(request: SignedInRequest, manager_id: int) -> HttpResponse:
    """Move clients of one case manager to another in a few clicks."""
    if not may_see_team(request.user):
        raise Http404
    manager = team.move_source(request.user, manager_id)
    if manager is None:
        raise Http404
    clients = team.movable_clients(request.user, manager)
    # A big team is listed a few at a time: the first by name, or those a search finds.
    words = (request.GET.get("who") or "").strip()[:100]
    everyone = team.move_targets(request.user, manager, words)
    targets = list(everyone[:MOVE_TARGETS_SHOWN])
    more = len(targets) == MOVE_TARGETS_SHOWN and everyone.count() > MOVE_TARGETS_SHOWN
    chosen = parse_id(request.POST.get("to_user")) if request.method == "POST" else None
    if chosen is not None and all(t.pk != chosen for t in targets):
        # Someone chosen from an earlier list is still a valid choice if the rules allow it.
        targets += list(team.move_targets(request.user, manager).filter(pk=chosen))
    # How full each caseload is, counted only for the people this form lists.
    loads = team.loads(request.user, [manager, *targets])
    form = MoveClientsForm(
        request.POST or None,
        clients=[(c.pk, f"{c.display_name} ({c.case_number})") for c in clients],
        targets=[(t.pk, _load_label(t, loads.get(t.pk))) for t in targets],
    )
    _audit_list(request, "team_move", [c.pk for c in clients])
    status = 200
    if request.method == "POST":
        if form.is_valid():
            to_user = next(t for t in targets if t.pk == form.cleaned_data["to_user"])
            try:
                moved = team.clients_move(
                    by=request.user,
                    client_ids=form.cleaned_data["clients"],
                    from_user=manager,
                    to_user=to_user,
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(
                    request,
                    f"Moved {moved} client{'s' if moved != 1 else ''} to {to_user.display_name}.",
                )
                return redirect("team_day")
        status = 400
    return render(
        request,
        "alerts/team_move.html",
        {
            "manager": manager,
            "form": form,
            "load": loads.get(manager.pk),
            "words": words,
            "more": more,
            "shown": MOVE_TARGETS_SHOWN,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def notification_settings(request: SignedInRequest) -> HttpResponse:
    if not may_have_caseload(request.user):
        raise Http404
    current = queries.preference_of(request.user)
    initial_version = current.version if current else 1
    form = NotificationPreferenceForm(
        request.POST or None,
        instance=current or NotificationPreference(user=request.user),
        initial={"version": initial_version},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            choices = {name: form.cleaned_data[name] for name in form.Meta.fields}
            try:
                services.preference_save(
                    user=request.user, version=form.cleaned_data["version"], **choices
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, "Saved. New alerts reach you as you chose.")
                return redirect("notification_settings")
        status = 400
    return render(request, "alerts/notification_settings.html", {"form": form}, status=status)

"""The Contact log and Check-ins tabs: contact notes (write, sign, co-sign, addenda), coaching
sessions and check-ins. Clients are fetched through the access policy; every rule is the
services'; every page that shows a note's content puts its reading on the audit trail."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from casebridge.access.policy import Action, may
from casebridge.accounts.http import SignedInRequest
from casebridge.accounts.models import Role
from casebridge.audit.services import audit_event, audit_record, audit_write
from casebridge.audit.versions import VersionConflict
from casebridge.clients.models import Client
from casebridge.clients.queries import (
    client_for,
    client_page,
    client_read,
    contact_every_days,
    user_may,
)
from casebridge.formtools import apply_errors, offer_latest
from casebridge.inputs import parse_id
from casebridge.monitoring import charts, queries, services
from casebridge.monitoring.formats import note_format
from casebridge.monitoring.forms.notes import (
    AddendumForm,
    CheckInForm,
    CoachingSessionForm,
    NoteForm,
    service_errors,
)
from casebridge.monitoring.models import ContactNote
from casebridge.monitoring.standards import labels
from casebridge.monitoring.statuses import NoteStatus

NOT_SIGNED = "Not signed yet: complete what is marked below, or save it as a draft."


def _note_client(request: SignedInRequest, client_id: int) -> Client:
    """The client whose notes the person writes: recording contacts shows the note's content,
    so it needs reading clinical content too."""
    client = client_for(user=request.user, client_id=client_id, action=Action.RECORD_CONTACT)
    if not user_may(request.user, client, Action.READ_CLINICAL):
        raise Http404
    return client


def _note(client: Client, note_id: int) -> ContactNote:
    note = queries.note_of(client, note_id)
    if note is None:
        raise Http404
    return note


@login_required
def contact_log(request: SignedInRequest, client_id: int) -> HttpResponse:
    client = client_for(user=request.user, client_id=client_id, audit=False)
    context = client_page(request.user, client, "contact_log")
    # Notes are clinical: a coach sees the coaching sessions here, and on the timeline only
    # that a contact happened.
    context["notes"] = (
        queries.notes_for(client) if Action.READ_CLINICAL in context["allowed"] else None
    )
    reads = [client_read(request.user, client)]
    if context["notes"]:
        # The list shows the start of each note: which notes were read is on the trail.
        reads.append(
            audit_event(
                actor=request.user,
                action="view",
                client_id=client.pk,
                object_type="contact_note_list",
                changes={"notes": [note.pk for note in context["notes"]]},
            )
        )
    audit_write(reads)
    context["sessions"] = queries.coaching_sessions(client)
    times = queries.contact_times(client)
    context["times"] = times
    context["counting"] = labels(times.counting)
    context["contact_every_days"] = contact_every_days(client)
    return render(request, "monitoring/contact_log.html", context)


def _note_form_page(
    request: SignedInRequest,
    client: Client,
    form: NoteForm,
    *,
    note: ContactNote | None,
    task: Any = None,
    conflict: VersionConflict | None = None,
    status: int = 200,
) -> HttpResponse:
    rules = queries.note_rules(client.program_id)
    context = client_page(
        request.user,
        client,
        "contact_log",
        form=form,
        note=note,
        task=task,
        conflict=conflict,
        cosign_needed=rules.supervisor_cosign and request.user.role != Role.SUPERVISOR,
    )
    return render(request, "monitoring/note_form.html", context, status=status)


@login_required
def note_new(request: SignedInRequest, client_id: int) -> HttpResponse:
    client = _note_client(request, client_id)
    start: dict[str, Any] | None = None
    if "task" in request.GET:
        # Recorded for one of the client's plan tasks: the goal, the kind of contact and now.
        task_id = parse_id(request.GET["task"])
        start = queries.from_task(client, task_id) if task_id is not None else None
        if start is None:
            raise Http404
    now = timezone.localtime()
    initial = {
        "contact_date": now.date(),
        "contact_time": now.time().replace(second=0, microsecond=0),
    }
    if start is not None:
        initial |= {
            "contact_date": start["contact_date"],
            "contact_time": start["contact_time"],
            "contact_type": start["contact_type"],
            "goals": start["goal_ids"],
        }
    form = NoteForm(
        request.POST or None,
        initial=initial,
        note_format=queries.format_for(client),
        goals=queries.goal_choices(client),
    )
    if request.method == "POST" and form.is_valid():
        sign = "sign" in request.POST
        try:
            note = services.note_save(
                client=client,
                by=request.user,
                sign=sign,
                plan_task=start["task"] if start else None,
                **form.service_fields(),
            )
        except ValidationError as error:
            apply_errors(form, service_errors(error))
            if sign:
                form.add_error(None, NOT_SIGNED)
        else:
            return _saved(request, client, note, sign)
    return _note_form_page(
        request,
        client,
        form,
        note=None,
        task=start["task"] if start else None,
    )


def _saved(request: SignedInRequest, client: Client, note: ContactNote, sign: bool) -> HttpResponse:
    if not sign:
        messages.success(request, "Draft saved. Only you can change it until you sign it.")
        return redirect("note_edit", client_id=client.pk, note_id=note.pk)
    if note.status == NoteStatus.AWAITING_COSIGN:
        messages.success(request, "Note signed. It now waits for a supervisor's co-signature.")
    else:
        messages.success(request, "Note signed and locked.")
    return redirect("note_detail", client_id=client.pk, note_id=note.pk)


@login_required
def note_edit(request: SignedInRequest, client_id: int, note_id: int) -> HttpResponse:
    client = _note_client(request, client_id)
    note = _note(client, note_id)
    if note.is_locked:
        messages.info(
            request, "This note is signed, so it is not changed. Add an addendum instead."
        )
        return redirect("note_detail", client_id=client.pk, note_id=note.pk)
    if not may(request.user, "monitoring.edit_note", note):
        raise Http404
    form = NoteForm(
        request.POST or None,
        initial=NoteForm.initial_from(note),
        note_format=note_format(note.note_format),
        goals=queries.goal_choices(client),
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        sign = "sign" in request.POST
        try:
            saved = services.note_save(
                client=client,
                by=request.user,
                note=note,
                version=form.cleaned_data["version"],
                sign=sign,
                **form.service_fields(),
            )
        except services.NoteLocked as error:
            messages.error(request, str(error))
            return redirect("note_detail", client_id=client.pk, note_id=note.pk)
        except VersionConflict as error:
            # Never merged: their typed text stays in the form, and saving again is a choice
            # made after reading what changed.
            conflict = error
            note.refresh_from_db()
            offer_latest(form, note.version)
        except ValidationError as error:
            apply_errors(form, service_errors(error))
            if sign:
                form.add_error(None, NOT_SIGNED)
        else:
            return _saved(request, client, saved, sign)
    # A form sent back with what to fix is an ordinary page (200); only a conflict is a 409.
    status = 409 if conflict else 200
    audit_record(
        actor=request.user,
        action="view",
        client_id=client.pk,
        object_type="contact_note",
        object_id=note.pk,
    )
    return _note_form_page(
        request, client, form, note=note, task=note.plan_task, conflict=conflict, status=status
    )


def _detail_page(
    request: SignedInRequest,
    client: Client,
    note: ContactNote,
    addendum_form: AddendumForm | None = None,
) -> HttpResponse:
    fmt = note_format(note.note_format)
    # Every page that shows a note's text is a read of it, a failed addendum's included.
    audit_record(
        actor=request.user,
        action="view",
        client_id=client.pk,
        object_type="contact_note",
        object_id=note.pk,
    )
    context = client_page(request.user, client, "contact_log", note=note)
    allowed = context["allowed"]
    context |= {
        "sections": [(fmt.label_of(key), text) for key, text in note.sections.items()],
        "format_name": fmt.plain_name,
        "goals": list(note.goals.all()),
        "addenda": list(note.addenda.select_related("written_by")),
        "can_edit": not note.is_locked and may(request.user, "monitoring.edit_note", note),
        "can_cosign": note.status == NoteStatus.AWAITING_COSIGN
        and may(request.user, "monitoring.cosign_note", note),
        "addendum_form": (addendum_form or AddendumForm())
        if note.is_locked and Action.RECORD_CONTACT in allowed
        else None,
    }
    return render(request, "monitoring/note_detail.html", context)


@login_required
def note_detail(request: SignedInRequest, client_id: int, note_id: int) -> HttpResponse:
    client = client_for(user=request.user, client_id=client_id, action=Action.READ_CLINICAL)
    note = _note(client, note_id)
    return _detail_page(request, client, note)


@login_required
@require_POST
def note_cosign(request: SignedInRequest, client_id: int, note_id: int) -> HttpResponse:
    client = _note_client(request, client_id)
    note = _note(client, note_id)
    try:
        services.note_cosign(note=note, by=request.user)
    except (ValidationError, services.NoteLocked) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, "Note co-signed.")
    return redirect("note_detail", client_id=client.pk, note_id=note.pk)


@login_required
@require_POST
def note_addendum(request: SignedInRequest, client_id: int, note_id: int) -> HttpResponse:
    client = _note_client(request, client_id)
    note = _note(client, note_id)
    form = AddendumForm(request.POST)
    if form.is_valid():
        try:
            services.note_addendum_add(note=note, by=request.user, text=form.cleaned_data["text"])
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Addendum added.")
            return redirect("note_detail", client_id=client.pk, note_id=note.pk)
    return _detail_page(request, client, note, addendum_form=form)


@login_required
def coaching_new(request: SignedInRequest, client_id: int) -> HttpResponse:
    client = client_for(user=request.user, client_id=client_id, action=Action.CHECK_IN)
    form = CoachingSessionForm(request.POST or None, initial={"session_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.coaching_session_record(client=client, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Coaching session recorded.")
            return redirect("contact_log", client_id=client.pk)
    context = client_page(request.user, client, "contact_log", form=form)
    return render(request, "monitoring/coaching_form.html", context)


@login_required
def check_in_list(request: SignedInRequest, client_id: int) -> HttpResponse:
    client = client_for(user=request.user, client_id=client_id, action=Action.CHECK_IN)
    recorded = queries.check_ins(client)
    charted = recorded[: queries.CHART_CHECK_INS]
    context = client_page(
        request.user,
        client,
        "check_in_list",
        check_ins=recorded,
        chart=charts.check_in_trend(charted),
        charted=sorted(charted, key=lambda c: (c.checked_in_at, c.pk)),
    )
    return render(request, "monitoring/check_ins.html", context)


@login_required
def check_in_new(request: SignedInRequest, client_id: int) -> HttpResponse:
    client = client_for(user=request.user, client_id=client_id, action=Action.CHECK_IN)
    form = CheckInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.check_in_record(client=client, by=request.user, **form.service_fields())
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Check-in recorded.")
            return redirect("check_in_list", client_id=client.pk)
    context = client_page(
        request.user, client, "check_in_list", form=form, last=queries.last_check_in(client)
    )
    return render(request, "monitoring/check_in_form.html", context)

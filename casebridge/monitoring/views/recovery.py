"""The Recovery tab: the sobriety date, drug screens (a strip and a table), meetings attended and
medications, and the pages that record them. Screens' substances, medications and the sobriety
date are clinical (read_clinical to see, record_contact to record), shown to the coach only while
the client shares them (services.sharing); meetings are what coaching needs (check_in). Clients are fetched through the access policy; every rule is the services'."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from casebridge.access.policy import Action, may
from casebridge.accounts.http import SignedInRequest
from casebridge.audit.services import audit_event, audit_record, audit_write
from casebridge.audit.versions import VersionConflict
from casebridge.clients.models import Client
from casebridge.clients.queries import client_for, client_page, client_read, user_may
from casebridge.formtools import apply_errors, offer_latest, save_versioned
from casebridge.inputs import parse_id
from casebridge.monitoring import recovery
from casebridge.monitoring.forms.recovery import (
    CoachSharingForm,
    ConfirmationForm,
    MedicationForm,
    MeetingForm,
    ScreenForm,
)
from casebridge.monitoring.models.recovery import (
    DrugScreen,
    Medication,
    ScreenOutcome,
    ScreenStatus,
)
from casebridge.monitoring.services import medications, meetings, screens, sharing


def _clinical_writer(request: SignedInRequest, client_id: int) -> Client:
    """The client whose screens and medications the person records: recording them shows what
    is already recorded, so it needs reading clinical content too."""
    client = client_for(user=request.user, client_id=client_id, action=Action.RECORD_CONTACT)
    if not user_may(request.user, client, Action.READ_CLINICAL):
        raise Http404
    return client


def _read(request: SignedInRequest, client: Client, object_type: str, object_id: int) -> None:
    """A form that shows a screen's results or a prescription is a read of it."""
    audit_record(
        actor=request.user,
        action="view",
        client_id=client.pk,
        object_type=object_type,
        object_id=object_id,
    )


def _screen(client: Client, screen_id: int) -> DrugScreen:
    found = screens.screen_of(client, screen_id)
    if found is None:
        raise Http404
    return found


def _medication(client: Client, medication_id: int) -> Medication:
    found = medications.medication_of(client, medication_id)
    if found is None:
        raise Http404
    return found


@login_required
def recovery_page(request: SignedInRequest, client_id: int) -> HttpResponse:
    client = client_for(user=request.user, client_id=client_id, audit=False)
    reads = [client_read(request.user, client)]
    context = client_page(request.user, client, "recovery")
    allowed = context["allowed"]
    clinical = Action.READ_CLINICAL in allowed
    shows_screens = clinical or may(request.user, "monitoring.read_screens", client)
    shows_medications = clinical or may(request.user, "monitoring.read_medications", client)
    context |= {
        "shows_screens": shows_screens,
        "shows_medications": shows_medications,
        "is_coach": client.coach_id == request.user.pk,
        "can_record_clinical": clinical and Action.RECORD_CONTACT in allowed,
        "can_record_meetings": Action.CHECK_IN in allowed,
        "can_set_sharing": Action.MANAGE_CONSENTS in allowed,
    }
    if Action.MANAGE_CONSENTS in allowed:
        context["sharing"] = sharing.sharing_of(client)
    recorded = screens.screens_for(client) if shows_screens else []
    prescriptions = medications.medications_for(client) if shows_medications else []
    sobriety = None
    if shows_screens:
        sobriety = recovery.sobriety_for(client, with_check_ins=Action.CHECK_IN in allowed)
        context |= {
            "sobriety": sobriety,
            "sobriety_days": sobriety.days(context["today"]) if sobriety else None,
            "screens": screens.screen_lines(recorded),
            "strip": screens.screen_strip(recorded),
        }
    if shows_medications:
        context["medications"] = prescriptions
    if recorded or prescriptions or sobriety:
        # The page shows what each screen found and every medication: clinical reads.
        reads.append(
            audit_event(
                actor=request.user,
                action="view",
                client_id=client.pk,
                object_type="recovery_record",
                changes={
                    "drug screens": [screen.pk for screen in recorded],
                    "medications": [medication.pk for medication in prescriptions],
                    "days in recovery": sobriety.evidence if sobriety else None,
                },
            )
        )
    audit_write(reads)
    if Action.CHECK_IN in allowed:
        context |= {
            "meetings": recovery.meetings_for(client),
            "meeting_count": recovery.meetings_lately(client),
        }
    return render(request, "monitoring/recovery.html", context)


@login_required
def coach_sharing(request: SignedInRequest, client_id: int) -> HttpResponse:
    """What the client chooses to share with their coach: drug screens, medications, or none."""
    client = client_for(user=request.user, client_id=client_id, action=Action.MANAGE_CONSENTS)
    current = sharing.sharing_of(client)
    form = CoachSharingForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        try:
            sharing.coach_sharing_set(client=client, by=request.user, **form.service_fields())
        except VersionConflict as conflict:
            latest = sharing.sharing_of(client)
            offer_latest(form, latest.version if latest else 0)
            context = client_page(request.user, client, "recovery", form=form, conflict=conflict)
            return render(request, "monitoring/coach_sharing_form.html", context, status=409)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Saved what the client shares with their coach.")
            return redirect("recovery", client_id=client.pk)
    context = client_page(request.user, client, "recovery", form=form, sharing=current)
    return render(request, "monitoring/coach_sharing_form.html", context)


# Drug screens


@login_required
def screen_new(request: SignedInRequest, client_id: int) -> HttpResponse:
    client = _clinical_writer(request, client_id)
    today = timezone.localdate()
    form = ScreenForm(
        request.POST or None,
        initial={
            "collected_on": today,
            "status": ScreenStatus.TESTED,
            "expected": medications.expected_on(client, today),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            screen = screens.screen_record(client=client, by=request.user, **form.service_fields())
        except ValidationError as error:
            apply_errors(form, error)
        else:
            message = "Drug screen recorded."
            if screen.outcome in screens.RAISES_FLAG:
                message += (
                    f" {ScreenOutcome(screen.outcome).label}: the “High risk of relapse” flag is "
                    "on the client until someone clears it."
                )
            messages.success(request, message)
            return redirect("recovery", client_id=client.pk)
    context = client_page(request.user, client, "recovery", form=form)
    return render(request, "monitoring/screen_form.html", context)


@login_required
def screen_detail(request: SignedInRequest, client_id: int, screen_id: int) -> HttpResponse:
    client = client_for(user=request.user, client_id=client_id)
    if not may(request.user, "monitoring.read_screens", client):
        raise Http404
    screen = _screen(client, screen_id)
    audit_record(
        actor=request.user,
        action="view",
        client_id=client.pk,
        object_type="drug_screen",
        object_id=screen.pk,
    )
    context = client_page(request.user, client, "recovery")
    names = screens.catalogue()
    results = list(screen.results.all())
    context |= {
        "screen": screen,
        "line": screens.screen_lines([screen])[0],
        "panel_name": screens.panel_label(screen.panel) if results else "",
        "results": [(names.label(row.substance), row) for row in results],
        "expected": names.labels(screen.expected),
        "can_confirm": any(row.result == "positive" for row in results)
        and Action.RECORD_CONTACT in context["allowed"],
    }
    return render(request, "monitoring/screen_detail.html", context)


@login_required
def screen_confirm(request: SignedInRequest, client_id: int, screen_id: int) -> HttpResponse:
    client = _clinical_writer(request, client_id)
    screen = _screen(client, screen_id)
    form = ConfirmationForm(
        request.POST or None, screen=screen, initial={"version": screen.version}
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        attempt = save_versioned(
            form,
            lambda: screens.screen_confirm(
                screen=screen,
                by=request.user,
                version=form.cleaned_data["version"],
                confirmations=form.confirmations(),
            ),
            record=screen,
        )
        if attempt.saved:
            messages.success(request, "Lab confirmation recorded.")
            return redirect("screen_detail", client_id=client.pk, screen_id=screen.pk)
        conflict = attempt.conflict
    _read(request, client, "drug_screen", screen.pk)
    context = client_page(
        request.user, client, "recovery", form=form, screen=screen, conflict=conflict
    )
    status = 409 if conflict else 200
    return render(request, "monitoring/screen_confirm.html", context, status=status)


# Meetings


@login_required
def meeting_new(request: SignedInRequest, client_id: int) -> HttpResponse:
    client = client_for(user=request.user, client_id=client_id, action=Action.CHECK_IN)
    form = MeetingForm(request.POST or None, initial={"attended_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            meetings.meeting_record(client=client, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Meeting recorded.")
            return redirect("recovery", client_id=client.pk)
    context = client_page(request.user, client, "recovery", form=form)
    return render(request, "monitoring/meeting_form.html", context)


# Medications


@login_required
def medication_new(request: SignedInRequest, client_id: int) -> HttpResponse:
    client = _clinical_writer(request, client_id)
    initial: dict[str, object] = {"started_on": timezone.localdate()}
    after = None
    if "after" in request.GET:
        # The next prescription of one the client has: the same drug, from the day after.
        after_id = parse_id(request.GET["after"])
        after = _medication(client, after_id) if after_id is not None else None
        if after is None:
            raise Http404
        initial = medications.next_prescription(client, after)
    form = MedicationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            medications.medication_record(client=client, by=request.user, **form.service_fields())
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Medication recorded.")
            return redirect("recovery", client_id=client.pk)
    if after is not None:
        _read(request, client, "medication", after.pk)
    context = client_page(request.user, client, "recovery", form=form, after=after)
    return render(request, "monitoring/medication_form.html", context)


@login_required
def medication_edit(request: SignedInRequest, client_id: int, medication_id: int) -> HttpResponse:
    client = _clinical_writer(request, client_id)
    medication = _medication(client, medication_id)
    form = MedicationForm(
        request.POST or None, initial=MedicationForm.initial_from(medication), stopping=True
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        attempt = save_versioned(
            form,
            lambda: medications.medication_update(
                medication=medication,
                by=request.user,
                version=form.cleaned_data["version"] or 0,
                **form.service_fields(),
            ),
            record=medication,
        )
        if attempt.saved:
            messages.success(request, "Medication saved.")
            return redirect("recovery", client_id=client.pk)
        conflict = attempt.conflict
    _read(request, client, "medication", medication.pk)
    context = client_page(
        request.user, client, "recovery", form=form, medication=medication, conflict=conflict
    )
    status = 409 if conflict else 200
    return render(request, "monitoring/medication_form.html", context, status=status)

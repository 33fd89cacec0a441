"""Every write of monitoring: contact notes (drafts, signing, co-signature, addenda), coaching
sessions and check-ins, and the client's last contact that signed notes move. One transaction
each; validated before saving; audited; the timeline told what happened (never a note's content).
"""

from collections.abc import Collection, Mapping
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from casebridge.access.policy import Action, may
from casebridge.accounts.models import Role, User
from casebridge.audit.services import audit_record, changed_fields
from casebridge.audit.versions import check_record_version, save_version
from casebridge.clients import services as client_services
from casebridge.clients.models import Client
from casebridge.inputs import EARLIEST_DATE, text_problem
from casebridge.monitoring import queries
from casebridge.monitoring.formats import NoteFormat, note_format
from casebridge.monitoring.models import (
    MAX_DURATION_MINUTES,
    CheckIn,
    CheckInSource,
    CoachingKind,
    CoachingSession,
    CoachingTopic,
    ContactNote,
    ContactType,
    NoteAddendum,
    Sleep,
    TimelineKind,
)
from casebridge.monitoring.statuses import RECORDED, NoteStatus, is_allowed
from casebridge.plans.models import PlanTask

# Clocks on phones and laptops drift: a contact "now" may arrive a little ahead of the server.
CLOCK_SKEW = timedelta(minutes=5)
SECTION_LIMIT = 5000  # one part of a note: a long home visit fits, a pasted record does not
ADDENDUM_LIMIT = 2000
CHECK_IN_TEXT_LIMIT = 1000
CONFLICT_MESSAGE = (
    "This draft was saved from another window or device while you were working on it. Your "
    "changes were not saved; review what changed below and make yours again."
)


class NoteLocked(Exception):
    """A signed note is never edited; corrections are addenda."""


def _house_date(moment: datetime | date) -> str:
    day = timezone.localdate(moment) if isinstance(moment, datetime) else moment
    return f"{day:%b} {day.day}, {day.year}"


def _whole_number(value: Any, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _text(errors: dict[str, str], field: str, value: str, *, limit: int, multiline: bool) -> str:
    """The text stripped, or an error for `field` when it is too long or has hidden characters."""
    value = (value or "").strip()
    problem = text_problem(value, multiline=multiline, max_length=limit)
    if problem:
        errors[field] = problem
    return value


def _when(errors: dict[str, str], field: str, moment: datetime, what: str) -> None:
    if moment > timezone.now() + CLOCK_SKEW:
        errors[field] = f"The {what} cannot be in the future. Check the date and time."
    elif timezone.localdate(moment) < EARLIEST_DATE:
        errors[field] = "Check the year: give a date after 1900."


def _duration(errors: dict[str, str], minutes: Any) -> None:
    if not _whole_number(minutes, 1, MAX_DURATION_MINUTES):
        errors["duration_minutes"] = (
            f"Give the length in whole minutes, between 1 and {MAX_DURATION_MINUTES} (12 hours)."
        )


# Contact notes


def _audited(note: ContactNote, goal_ids: Collection[int], fmt: NoteFormat) -> dict[str, Any]:
    """The note as the audit trail records it, in words, so a conflict can say what changed."""
    found: dict[str, Any] = {
        "date and time of contact": timezone.localtime(note.contact_at).isoformat(),
        "contact type": note.get_contact_type_display(),
        "duration in minutes": note.duration_minutes,
        "place": note.place,
        "who took part": note.participants,
        "goals": sorted(goal_ids),
        "status": note.status,
    }
    for key, text in note.sections.items():
        found[fmt.label_of(key)] = text
    return found


def _sections(
    errors: dict[str, str], fmt: NoteFormat, sections: Mapping[str, str], *, sign: bool
) -> dict[str, str]:
    """Every part of the format, in its order; signing needs each required part written."""
    unknown = sorted(set(sections) - {section.key for section in fmt.sections})
    if unknown:
        errors["__all__"] = (
            f"{', '.join(unknown)} is not part of a {fmt.name} note. Reload the page and write "
            "the note again."
        )
    found: dict[str, str] = {}
    for section in fmt.sections:
        field = f"section_{section.key}"
        text = _text(
            errors, field, sections.get(section.key, ""), limit=SECTION_LIMIT, multiline=True
        )
        found[section.key] = text
        if sign and section.required and not text and field not in errors:
            errors[field] = f"Write “{section.label}” before signing."
    return found


def _goal_ids(errors: dict[str, str], client: Client, goal_ids: Collection[int]) -> list[int]:
    allowed = {goal.pk for goal in queries.goal_choices(client)}
    chosen = sorted(set(goal_ids))
    if not set(chosen) <= allowed:
        errors["goals"] = "Choose goals from the client's care plan in effect."
    return chosen


def _sign(note: ContactNote, by: User) -> None:
    """Lock the note: signed, or waiting for a supervisor when the program asks for one."""
    rules = queries.note_rules(note.client.program_id)
    needs_cosign = rules.supervisor_cosign and by.role != Role.SUPERVISOR
    to_status = NoteStatus.AWAITING_COSIGN if needs_cosign else NoteStatus.SIGNED
    if not is_allowed(note.status, to_status):
        raise NoteLocked("This note is already signed. Add an addendum instead.")
    note.status = to_status
    note.signed_at = timezone.now()
    # Late is counted in calendar days where the program works: signed on the fourth day after
    # a Monday contact is late under a three-day rule, whatever the hour.
    days_after = (timezone.localdate(note.signed_at) - timezone.localdate(note.contact_at)).days
    note.late_entry = days_after > rules.late_after_days


def _contact_summary(note: ContactNote) -> str:
    return (
        f"{note.get_contact_type_display()} on {_house_date(note.contact_at)}, "
        f"{note.duration_minutes} minutes" + (" (late entry)" if note.late_entry else "")
    )


def note_save(
    *,
    client: Client,
    by: User,
    contact_at: datetime,
    contact_type: str,
    duration_minutes: int,
    sections: Mapping[str, str],
    place: str = "",
    participants: str = "",
    goal_ids: Collection[int] = (),
    plan_task: PlanTask | None = None,
    note: ContactNote | None = None,
    version: int | None = None,
    sign: bool = False,
) -> ContactNote:
    """Save a new note or the writer's draft (`note` at the `version` they opened), and sign it
    when asked. Errors are keyed by field; the parts of the note as `section_<key>`."""
    with transaction.atomic():
        current: ContactNote | None = None
        if note is not None:
            current = (
                ContactNote.objects.select_for_update().select_related("client").get(pk=note.pk)
            )
            if current.client_id != client.pk:
                raise ValueError("The note is not this client's")
            if current.is_locked:
                raise NoteLocked("This note is signed and locked. Add an addendum instead.")
            if not may(by, "monitoring.edit_note", current):
                raise ValidationError("Only the person who wrote this draft can change it.")
            check_record_version(
                current, version, object_type="contact_note", message=CONFLICT_MESSAGE
            )
        elif (
            not Client.objects.restrict(by, Action.RECORD_CONTACT, include_emergency=False)
            .filter(pk=client.pk)
            .exists()
        ):
            raise ValidationError("Your role does not record contacts for this client.")
        fmt = note_format(current.note_format) if current else queries.format_for(client)
        errors: dict[str, str] = {}
        if contact_type not in ContactType.values:
            errors["contact_type"] = "Choose the kind of contact from the list."
        _when(errors, "contact_at", contact_at, "contact")
        _duration(errors, duration_minutes)
        place = _text(errors, "place", place, limit=200, multiline=False)
        participants = _text(errors, "participants", participants, limit=300, multiline=False)
        chosen_goals = _goal_ids(errors, client, goal_ids)
        texts = _sections(errors, fmt, sections, sign=sign)
        if plan_task is not None and plan_task.client_id != client.pk:
            errors["__all__"] = "That plan task is not this client's."
        if errors:
            raise ValidationError(errors)

        if current is None:
            current = ContactNote(
                client=client, written_by=by, note_format=fmt.code, plan_task=plan_task
            )
            before: dict[str, Any] = {}
        else:
            before = _audited(current, list(current.goals.values_list("pk", flat=True)), fmt)
            current.version += 1
        current.contact_at = contact_at
        current.contact_type = contact_type
        current.duration_minutes = duration_minutes
        current.place = place
        current.participants = participants
        current.sections = texts
        if sign:
            _sign(current, by)
        current.full_clean()
        current.save()
        current.goals.set(chosen_goals)
        after = _audited(current, chosen_goals, fmt)
        audit_record(
            actor=by,
            action="update" if before else "create",
            client_id=client.pk,
            object_type="contact_note",
            object_id=current.pk,
            changes=changed_fields(before, after)
            | {"version": [version if before else None, current.version]},
        )
        if sign:
            client_services.timeline_add(
                client=client,
                kind=TimelineKind.CONTACT,
                summary=_contact_summary(current),
                actor=by,
            )
            contact_times_refresh(client=client)
    return current


def note_cosign(*, note: ContactNote, by: User) -> ContactNote:
    """A supervisor of the client's program, not the writer, co-signs a note that waits."""
    with transaction.atomic():
        current = ContactNote.objects.select_for_update().select_related("client").get(pk=note.pk)
        if current.status == NoteStatus.DRAFT:
            raise NoteLocked("A draft is signed by its writer before anyone co-signs it.")
        if current.status != NoteStatus.AWAITING_COSIGN:
            raise NoteLocked("This note is already signed; it needs no co-signature.")
        if current.written_by_id == by.pk and by.role == Role.SUPERVISOR:
            raise ValidationError(
                "A note is co-signed by a supervisor who is someone other than the writer."
            )
        if not may(by, "monitoring.cosign_note", current):
            raise ValidationError("Only a supervisor of the client's program co-signs notes.")
        current.status = NoteStatus.SIGNED
        current.cosigned_by = by
        current.cosigned_at = timezone.now()
        save_version(
            current,
            actor=by,
            object_type="contact_note",
            changes={
                "status": [NoteStatus.AWAITING_COSIGN.value, NoteStatus.SIGNED.value],
                "co-signed by": [None, by.display_name],
            },
        )
        client_services.timeline_add(
            client=current.client,
            kind=TimelineKind.CONTACT,
            summary=f"Contact note of {_house_date(current.contact_at)} co-signed",
            actor=by,
            needs_action=Action.READ_CLINICAL,
        )
    return current


def note_addendum_add(*, note: ContactNote, by: User, text: str) -> NoteAddendum:
    """A correction or addition to a signed note, kept with its writer and time; the note itself
    stays as it was signed."""
    errors: dict[str, str] = {}
    text = _text(errors, "text", text, limit=ADDENDUM_LIMIT, multiline=True)
    if not text and not errors:
        errors["text"] = "Write the correction or addition."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # The note's status read under its lock, so an addendum never lands on a draft.
        note = ContactNote.objects.select_for_update().get(pk=note.pk)
        if note.status not in RECORDED:
            raise ValidationError("Addenda are for signed notes; change the draft instead.")
        addendum = NoteAddendum.objects.create(note=note, text=text, written_by=by)
        audit_record(
            actor=by,
            action="create",
            client_id=note.client_id,
            object_type="note_addendum",
            object_id=addendum.pk,
            changes={"note": [None, note.pk], "text": [None, text]},
        )
        client_services.timeline_add(
            client=note.client,
            kind=TimelineKind.CONTACT,
            summary=f"Addendum to the contact note of {_house_date(note.contact_at)}",
            actor=by,
            needs_action=Action.READ_CLINICAL,
        )
    return addendum


def contact_times_refresh(*, client: Client) -> queries.ContactTimes:
    """Work out the client's last contact and last attempt from the signed notes and keep them
    on the client (which moves the next contact due). Call inside the writer's transaction."""
    with transaction.atomic():
        # Two notes signed at once take turns here, so neither keeps a stale last contact.
        Client.objects.select_for_update().filter(pk=client.pk).first()
        times = queries.contact_times(client)
        client_services.contact_times_set(
            client=client,
            last_contact_at=times.last_contact_at,
            last_attempt_at=times.last_attempt_at,
        )
    return times


# Coaching sessions


def coaching_session_record(
    *,
    client: Client,
    by: User,
    session_on: date,
    kind: str,
    duration_minutes: int,
    topics: Collection[str],
    next_step: str = "",
) -> CoachingSession:
    """A coaching session as the whole team may read it: when, how, how long, what about and the
    next step. No clinical content is asked for."""
    errors: dict[str, str] = {}
    if kind not in CoachingKind.values:
        errors["kind"] = "Choose how the session happened."
    _duration(errors, duration_minutes)
    chosen = [value for value in CoachingTopic.values if value in set(topics)]
    if not topics or len(chosen) != len(set(topics)):
        errors["topics"] = "Tick at least one topic from the list."
    if not isinstance(session_on, date) or session_on > timezone.localdate():
        errors["session_on"] = "The session cannot be in the future. Check the date."
    elif session_on < EARLIEST_DATE:
        errors["session_on"] = "Check the year: give a date after 1900."
    next_step = _text(errors, "next_step", next_step, limit=200, multiline=False)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        session = CoachingSession(
            client=client,
            session_on=session_on,
            kind=kind,
            duration_minutes=duration_minutes,
            topics=chosen,
            next_step=next_step,
            recorded_by=by,
        )
        session.full_clean()
        session.save()
        audit_record(
            actor=by,
            action="create",
            client_id=client.pk,
            object_type="coaching_session",
            object_id=session.pk,
            changes={
                "date": [None, session_on.isoformat()],
                "kind": [None, kind],
                "duration in minutes": [None, duration_minutes],
                "topics": [None, chosen],
                "next step": [None, next_step],
            },
        )
        topics_text = ", ".join(label.lower() for label in session.topic_labels())
        client_services.timeline_add(
            client=client,
            kind=TimelineKind.COACHING,
            summary=(
                f"Coaching session on {_house_date(session_on)}: {session.get_kind_display()}, "
                f"{duration_minutes} minutes; {topics_text}"
            ),
            detail=f"Next step: {next_step}" if next_step else "",
            actor=by,
        )
    return session


# Check-ins


def check_in_record(
    *,
    client: Client,
    by: User | None,
    mood: int,
    craving: int,
    used_since_last: bool,
    sleep: str,
    use_detail: str = "",
    meetings_since_last: int = 0,
    stressors: str = "",
    needs_help_with: str = "",
    source: str = CheckInSource.STAFF,
    checked_in_at: datetime | None = None,
) -> CheckIn:
    """Record how the client is doing. Staff (a case manager or the coach) enter it with the
    client, naming themselves; `source="client"` is the client's own, with nobody as `by`."""
    if source not in CheckInSource.values:
        raise ValueError(f"Unknown check-in source {source!r}")
    if source == CheckInSource.STAFF and by is None:
        raise ValueError("A check-in entered by staff names who entered it")
    errors: dict[str, str] = {}
    for field, what in (("mood", "Mood"), ("craving", "Craving")):
        if not _whole_number({"mood": mood, "craving": craving}[field], 0, 10):
            errors[field] = f"{what} is a number from 0 to 10."
    if not isinstance(used_since_last, bool):
        errors["used_since_last"] = "Say whether there was any use since the last check-in."
    use_detail = _text(errors, "use_detail", use_detail, limit=300, multiline=False)
    if used_since_last is True and not use_detail and "use_detail" not in errors:
        errors["use_detail"] = "What was used and how much? Say it in the client's words."
    if used_since_last is False and use_detail:
        errors["use_detail"] = (
            "No use since the last check-in was reported: leave this empty, or answer yes above."
        )
    if not _whole_number(meetings_since_last, 0, 99):
        errors["meetings_since_last"] = "Give the number of meetings, from 0 to 99."
    if sleep not in Sleep.values:
        errors["sleep"] = "Choose how the client has been sleeping."
    stressors = _text(errors, "stressors", stressors, limit=CHECK_IN_TEXT_LIMIT, multiline=True)
    needs_help_with = _text(
        errors, "needs_help_with", needs_help_with, limit=CHECK_IN_TEXT_LIMIT, multiline=True
    )
    when = checked_in_at or timezone.now()
    _when(errors, "checked_in_at", when, "check-in")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        recorded = CheckIn(
            client=client,
            checked_in_at=when,
            mood=mood,
            craving=craving,
            used_since_last=used_since_last,
            use_detail=use_detail,
            meetings_since_last=meetings_since_last,
            sleep=sleep,
            stressors=stressors,
            needs_help_with=needs_help_with,
            source=source,
            recorded_by=by,
        )
        recorded.full_clean()
        recorded.save()
        audit_record(
            actor=by,
            action="create",
            client_id=client.pk,
            object_type="check_in",
            object_id=recorded.pk,
            organisation_id=client.organisation_id,
            changes={
                "source": [None, source],
                "mood": [None, mood],
                "craving": [None, craving],
                "used since last": [None, used_since_last],
                "what was used": [None, use_detail],
                "meetings since last": [None, meetings_since_last],
                "sleep": [None, sleep],
                "stressors and triggers": [None, stressors],
                "needs help with": [None, needs_help_with],
            },
        )
        who = "Check-in by the client" if source == CheckInSource.CLIENT else "Check-in"
        summary = f"{who}: mood {mood} of 10, craving {craving} of 10"
        if used_since_last:
            summary += ", use reported"
        client_services.timeline_add(
            client=client, kind=TimelineKind.CHECK_IN, summary=summary, actor=by
        )
    return recorded

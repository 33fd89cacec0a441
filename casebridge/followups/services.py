"""Every write of the followups app: scheduling the follow-ups when care ends, closing those not
yet due when the client is back in care, each attempt to reach the client, and the outcome.

Each function is keyword-only, runs in one transaction, checks its input in plain words
(ValidationError keyed by field) and audits what it changed. Who may call which is decided by the
views through the access policy; scheduling and closing run from the transitions app's signals
(receivers.py), with no person behind them.
"""

from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from casebridge.accounts.models import User
from casebridge.audit.services import audit_record, changed_fields
from casebridge.audit.versions import check_record_version, save_version
from casebridge.clients.extensions import due_changed
from casebridge.clients.services import timeline_add
from casebridge.followups.models import (
    NOTE_LIMIT,
    QUESTIONS,
    AttemptResult,
    FollowUp,
    FollowUpAttempt,
    FollowUpOutcome,
    FollowUpRules,
    FollowUpStatus,
    TimelineKind,
    days_problem,
    default_days,
)
from casebridge.inputs import EARLIEST_DATE, text_problem
from casebridge.transitions.models import Episode

OBJECT_TYPE = "follow_up"
ATTEMPT_TYPE = "follow_up_attempt"
OUTCOME_TYPE = "follow_up_outcome"
CLOSED_MESSAGE = "This follow-up is closed, so no attempt can be added to it."
# What an attempt closes the follow-up as.
CLOSES: dict[str, str] = {
    AttemptResult.REACHED: FollowUpStatus.REACHED,
    AttemptResult.DECLINED: FollowUpStatus.DECLINED,
}


def marks_for(program_id: int | None) -> list[int]:
    """The program's day marks, or 30, 90 and 180 when it sets none (or sets nonsense)."""
    days = (
        FollowUpRules.objects.filter(program_id=program_id).values_list("days", flat=True).first()
        if program_id is not None
        else None
    )
    if days is None or days_problem(days):
        return default_days()
    return sorted(days)


def followups_schedule(*, episode_id: int) -> list[FollowUp]:
    """Schedule the follow-ups of a discharge that ended care, at the client's program's marks.

    Idempotent: a mark already scheduled for the episode is left as it is (the unique constraint
    on episode and mark holds even if two runs race), so a second signal adds nothing. Returns
    the follow-ups made by this run."""
    with transaction.atomic():
        episode = (
            Episode.objects.select_for_update()
            .select_related("client")
            .filter(pk=episode_id)
            .first()
        )
        if episode is None or episode.discharged_on is None:
            return []
        client = episode.client
        marks = marks_for(client.program_id)
        taken = set(FollowUp.objects.filter(episode=episode).values_list("day_mark", flat=True))
        made = [
            FollowUp(
                client=client,
                episode=episode,
                program_id=client.program_id,
                day_mark=mark,
                discharged_on=episode.discharged_on,
                due_on=episode.discharged_on + timedelta(days=mark),
            )
            for mark in marks
            if mark not in taken
        ]
        for follow_up in made:
            follow_up.full_clean()
        FollowUp.objects.bulk_create(made, ignore_conflicts=True)
        due_changed([client.pk])
        made = list(
            FollowUp.objects.filter(
                episode=episode, day_mark__in=[f.day_mark for f in made]
            ).exclude(day_mark__in=taken)
        )
        if made:
            audit_record(
                actor=None,
                action="create",
                client_id=client.pk,
                organisation_id=client.organisation_id,
                object_type=OBJECT_TYPE,
                changes={
                    "follow_ups": [None, [f.pk for f in made]],
                    "episode": [None, episode.pk],
                    "day_marks": [None, [f.day_mark for f in made]],
                },
            )
            timeline_add(
                client=client,
                kind=TimelineKind.FOLLOW_UP,
                summary="Follow-up after leaving care set for "
                + ", ".join(f"{f.day_mark} days ({_day(f.due_on)})" for f in made),
                actor=None,
            )
    return made


def followups_back_in_care(*, client_id: int, episode_id: int, admitted_on: date) -> int:
    """The client was admitted again: their open follow-ups of earlier discharges that were not
    yet due on the day of admission are closed as "back in care" (nothing is deleted; one
    already due stays open, since it asks about the time before they came back). Returns how
    many were closed."""
    with transaction.atomic():
        closing = list(
            FollowUp.objects.select_for_update()
            .select_related("client")
            .filter(
                client_id=client_id,
                status=FollowUpStatus.OPEN,
                discharged_on__lte=admitted_on,
                due_on__gt=admitted_on,
            )
            .exclude(episode_id=episode_id)
        )
        if not closing:
            return 0
        now = timezone.now()
        for follow_up in closing:
            follow_up.status = FollowUpStatus.BACK_IN_CARE
            follow_up.closed_at = now
            follow_up.closed_by_episode_id = episode_id
            follow_up.version += 1
            follow_up.full_clean()
            follow_up.save()
        client = closing[0].client
        audit_record(
            actor=None,
            action="update",
            client_id=client_id,
            organisation_id=client.organisation_id,
            object_type=OBJECT_TYPE,
            changes={
                "follow_ups": [f.pk for f in closing],
                "status": ["open", "back_in_care"],
                "episode": episode_id,
            },
        )
        timeline_add(
            client=client,
            kind=TimelineKind.FOLLOW_UP,
            summary="Back in care: follow-ups not yet due closed ("
            + ", ".join(f"{f.day_mark} days" for f in closing)
            + ")",
            actor=None,
        )
    return len(closing)


def _day(day: date) -> str:
    return f"{day:%b} {day.day}, {day.year}"


def _note_problem(note: object) -> str:
    if not isinstance(note, str):
        return "Write the note as text."
    return text_problem(note, multiline=True, max_length=NOTE_LIMIT)


def attempt_record(
    *,
    follow_up: FollowUp,
    by: User,
    result: str,
    attempted_at: datetime,
    note: str = "",
) -> FollowUpAttempt:
    """Log a try to reach the client. Reached or declined closes the follow-up; no answer or a
    wrong number leaves it open for the next try."""
    errors: dict[str, str] = {}
    if result not in AttemptResult.values:
        errors["result"] = "Choose how the attempt went."
    if not isinstance(attempted_at, datetime) or timezone.is_naive(attempted_at):
        errors["attempted_at"] = "Give the date of the attempt."
    elif attempted_at > timezone.now() + timedelta(minutes=5):
        errors["attempted_at"] = "This is in the future. Give the day you tried."
    elif timezone.localdate(attempted_at) < max(follow_up.discharged_on, EARLIEST_DATE):
        errors["attempted_at"] = "This is before the client left care."
    problem = _note_problem(note)
    if problem:
        errors["note"] = problem
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        current = FollowUp.objects.select_for_update().select_related("client").get(pk=follow_up.pk)
        if not current.is_open:
            raise ValidationError(CLOSED_MESSAGE)
        attempt = FollowUpAttempt(
            follow_up=current,
            client=current.client,
            result=result,
            note=note.strip(),
            attempted_at=attempted_at,
            by=by,
        )
        attempt.full_clean()
        attempt.save()
        audit_record(
            actor=by,
            action="create",
            client_id=current.client_id,
            object_type=ATTEMPT_TYPE,
            object_id=attempt.pk,
            changes={"follow_up": [None, current.pk], "result": [None, result]},
        )
        if result in CLOSES:
            before = current.status
            current.status = CLOSES[result]
            current.closed_at = timezone.now()
            save_version(
                current,
                actor=by,
                object_type=OBJECT_TYPE,
                changes={"status": [before, current.status]},
            )
        timeline_add(
            client=current.client,
            kind=TimelineKind.FOLLOW_UP,
            summary=f"Follow-up at {current.day_mark} days: {attempt.get_result_display().lower()}",
            actor=by,
            needs_action="read_clinical",
        )
    return attempt


def attempt_note_edit(
    *, attempt: FollowUpAttempt, by: User, version: int | None, note: str
) -> FollowUpAttempt:
    """Correct an attempt's note (how it went is a fact of its own: a wrong one is a new
    attempt). Refused when someone else changed the note since the person opened it."""
    problem = _note_problem(note)
    if problem:
        raise ValidationError({"note": problem})
    with transaction.atomic():
        current = FollowUpAttempt.objects.select_for_update().get(pk=attempt.pk)
        check_record_version(current, version, object_type=ATTEMPT_TYPE)
        before = current.note
        current.note = note.strip()
        save_version(
            current,
            actor=by,
            object_type=ATTEMPT_TYPE,
            changes=changed_fields({"note": before}, {"note": current.note}),
        )
    return current


def _answers_problem(answers: dict[str, Any]) -> dict[str, str]:
    return {
        name: "Choose one answer."
        for name, _, choices in QUESTIONS
        if answers.get(name) not in choices.values
    }


def outcome_record(
    *, follow_up: FollowUp, by: User, version: int | None, answers: dict[str, Any]
) -> FollowUpOutcome:
    """Record (or correct) how the client was doing when reached. A correction names the
    version the person opened and is refused if someone else saved in between."""
    errors = _answers_problem(answers)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        current = FollowUp.objects.select_for_update().select_related("client").get(pk=follow_up.pk)
        if current.status != FollowUpStatus.REACHED:
            raise ValidationError("Record how the client is doing once they have been reached.")
        existing = FollowUpOutcome.objects.select_for_update().filter(follow_up=current).first()
        clean = {name: answers[name] for name, _, _ in QUESTIONS}
        if existing is None:
            outcome = FollowUpOutcome(
                follow_up=current, client=current.client, recorded_by=by, **clean
            )
            outcome.full_clean()
            outcome.save()
            audit_record(
                actor=by,
                action="create",
                client_id=current.client_id,
                object_type=OUTCOME_TYPE,
                object_id=outcome.pk,
                changes={name: [None, value] for name, value in clean.items()},
            )
            timeline_add(
                client=current.client,
                kind=TimelineKind.FOLLOW_UP,
                summary=f"Follow-up at {current.day_mark} days: how the client is doing recorded",
                actor=by,
                needs_action="read_clinical",
            )
            return outcome
        check_record_version(existing, version, object_type=OUTCOME_TYPE)
        before = {name: getattr(existing, name) for name in clean}
        for name, value in clean.items():
            setattr(existing, name, value)
        save_version(
            existing, actor=by, object_type=OUTCOME_TYPE, changes=changed_fields(before, clean)
        )
    return existing

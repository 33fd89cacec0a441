"""Changes to a court record, and what the record says of a phase's criteria. One transaction
each, checked before saving, audited.

Keeping a participant's court record is the case manager's coordination work: it needs the
`plan` action on the client (the client's case managers and supervisors)."""

import math
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from casebridge.access.policy import Action
from casebridge.accounts.models import User
from casebridge.audit.services import audit_record
from casebridge.audit.versions import check_record_version
from casebridge.clients.models import Client
from casebridge.clients.queries import user_may
from casebridge.court.draw import is_test_day
from casebridge.court.models import (
    CourtProgram,
    DailyDraw,
    Hearing,
    Participant,
    ParticipantStatus,
    Phase,
    PhaseChange,
)
from casebridge.inputs import text_problem
from casebridge.monitoring.models.recovery import DrugScreen, MeetingAttendance, ScreenStatus
from casebridge.monitoring.recovery import sobriety_dates

OBJECT_TYPE = "court_participant"
MEETINGS_WINDOW_DAYS = 28  # meetings a week are judged over the last four weeks
REASON_LIMIT = 1000


def _may_keep(by: User, client: Client) -> None:
    if not user_may(by, client, Action.PLAN):
        raise ValidationError(
            "Only the client's case manager or a supervisor keeps the court record."
        )


# What the record says of a phase's criteria


@dataclass(frozen=True)
class Criterion:
    """One thing a phase asks before moving up. `met` is None for what the record does not
    hold (work, fees, community service, treatment hours): the team confirms it at the hearing."""

    label: str
    met: bool | None
    detail: str


def days_without_use(participant: Participant, today: date) -> int:
    """Days in a row without use: since the sobriety date the recovery record shows, or since
    entering the court when nothing recorded shows use."""
    found = sobriety_dates([participant.client_id]).get(participant.client_id)
    last_use = found.last_use_on if found else participant.entered_on - timedelta(days=1)
    return max(0, (today - last_use).days)


def phase_criteria(participant: Participant, today: date | None = None) -> list[Criterion]:
    """The current phase's criteria for moving up, each against the record (a few queries)."""
    today = today or timezone.localdate()
    phase = participant.phase
    in_phase = (today - participant.phase_started_on).days
    criteria = [
        Criterion(
            "Days in this phase",
            in_phase >= phase.min_days,
            f"{in_phase} of {phase.min_days} days",
        )
    ]
    if phase.days_without_use:
        clean = days_without_use(participant, today)
        criteria.append(
            Criterion(
                "Days without use in a row",
                clean >= phase.days_without_use,
                f"{clean} of {phase.days_without_use} days",
            )
        )
    if phase.tests_per_week:
        skipped = DrugScreen.objects.filter(
            client_id=participant.client_id,
            collected_on__gte=participant.phase_started_on,
            collected_on__lte=today,
            status__in=[ScreenStatus.MISSED, ScreenStatus.REFUSED],
        ).count()
        criteria.append(
            Criterion(
                "No missed or refused tests in this phase",
                skipped == 0,
                "none" if skipped == 0 else f"{skipped} missed or refused",
            )
        )
    if phase.meetings_per_week:
        window = max(1, min(MEETINGS_WINDOW_DAYS, in_phase + 1))
        wanted = math.ceil(phase.meetings_per_week * window / 7)
        went = MeetingAttendance.objects.filter(
            client_id=participant.client_id,
            attended_on__gt=today - timedelta(days=window),
            attended_on__lte=today,
        ).count()
        criteria.append(
            Criterion(
                "Mutual-help meetings",
                went >= wanted,
                f"{went} of {wanted} in the last {window} days",
            )
        )
    confirmed = [
        (
            phase.treatment_hours_per_week,
            f"{phase.treatment_hours_per_week} treatment hours a week",
        ),
        (phase.work_or_school, "Working or in school"),
        (phase.community_service_hours, f"{phase.community_service_hours} community service hours"),
        (phase.fees_paid, "Fees paid up"),
    ]
    criteria += [Criterion(label, None, "the team confirms") for asked, label in confirmed if asked]
    return criteria


def next_phase(participant: Participant) -> Phase | None:
    return (
        Phase.objects.filter(
            court_program_id=participant.court_program_id, number__gt=participant.phase.number
        )
        .order_by("number")
        .first()
    )


# Changes


def hearing_schedule(
    *, court_program: CourtProgram, held_on: date, by: User, courtroom: str = ""
) -> Hearing:
    """A new status hearing on the court's calendar: today or later."""
    errors: dict[str, str] = {}
    if held_on < timezone.localdate():
        errors["held_on"] = "A new hearing is today or later."
    problem = text_problem(courtroom, max_length=100)
    if problem:
        errors["courtroom"] = problem
    if by.organisation_id != court_program.organisation_id:
        raise ValidationError("That court is not one of your agency's.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        hearing = Hearing.objects.create(
            court_program=court_program, held_on=held_on, courtroom=courtroom.strip(), created_by=by
        )
        audit_record(
            actor=by,
            action="create",
            object_type="court_hearing",
            object_id=hearing.pk,
            changes={"held_on": held_on.isoformat()},
        )
    return hearing


def participant_enrol(
    *,
    client: Client,
    court_program: CourtProgram,
    by: User,
    docket_number: str,
    charge_category: str,
    track: str,
    entered_on: date,
    expected_graduation_on: date | None = None,
) -> Participant:
    """The client enters the court in its first phase."""
    _may_keep(by, client)
    if court_program.organisation_id != client.organisation_id:
        raise ValidationError("That court is not one of the client's agency's.")
    first = court_program.phases.order_by("number").first()
    if first is None:
        raise ValidationError("The court has no phases yet: an administrator sets them up first.")
    errors: dict[str, str] = {}
    docket_number = docket_number.strip()
    problem = text_problem(docket_number, max_length=60)
    if problem or not docket_number:
        errors["docket_number"] = problem or "Give the docket number from the court's papers."
    if entered_on > timezone.localdate():
        errors["entered_on"] = "The date of entry is today or earlier."
    if expected_graduation_on is not None and expected_graduation_on <= entered_on:
        errors["expected_graduation_on"] = "The expected graduation comes after the entry."
    if errors:
        raise ValidationError(errors)
    participant = Participant(
        client=client,
        court_program=court_program,
        docket_number=docket_number,
        charge_category=charge_category,
        track=track,
        entered_on=entered_on,
        expected_graduation_on=expected_graduation_on,
        phase=first,
        phase_started_on=entered_on,
    )
    participant.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            participant.save()
            audit_record(
                actor=by,
                action="create",
                client_id=client.pk,
                object_type=OBJECT_TYPE,
                object_id=participant.pk,
                changes={"court_program": court_program.pk, "phase": first.number},
            )
    except IntegrityError:
        raise ValidationError(
            "The client already takes part in a court, or another participant has that docket "
            "number."
        ) from None
    return participant


def phase_advance(
    *,
    participant: Participant,
    hearing: Hearing,
    by: User,
    version: int,
    override_reason: str = "",
    team_confirmed: bool = False,
    today: date | None = None,
) -> PhaseChange:
    """Move the participant up one phase, as decided at `hearing` (held today or before).

    When the record does not meet the phase's criteria, or the team has not confirmed what the
    record does not hold, the decision needs the team's reason (`override_reason`)."""
    today = today or timezone.localdate()
    _may_keep(by, participant.client)
    if participant.status != ParticipantStatus.ACTIVE:
        raise ValidationError("Only a participant still taking part moves up a phase.")
    if hearing.court_program_id != participant.court_program_id:
        raise ValidationError({"hearing": "Choose a hearing of the participant's court."})
    if hearing.held_on > today:
        raise ValidationError({"hearing": "A phase is decided at a hearing held today or before."})
    if hearing.held_on < participant.phase_started_on:
        raise ValidationError(
            {"hearing": "That hearing was held before the participant's current phase began."}
        )
    target = next_phase(participant)
    if target is None:
        raise ValidationError("This is the court's last phase: what follows is graduation.")
    reason = override_reason.strip()
    problem = text_problem(reason, multiline=True, max_length=REASON_LIMIT)
    if problem:
        raise ValidationError({"override_reason": problem})
    criteria = phase_criteria(participant, today)
    unmet = [c.label for c in criteria if c.met is False]
    unconfirmed = [c.label for c in criteria if c.met is None and not team_confirmed]
    met = not unmet and not unconfirmed
    if not met and not reason:
        missing = "; ".join(unmet + [f"{label} (not confirmed)" for label in unconfirmed])
        raise ValidationError(
            {
                "override_reason": (
                    f"The record does not meet this phase's criteria ({missing}). To move up "
                    "anyway, give the team's reason."
                )
            }
        )
    with transaction.atomic():
        current = Participant.objects.select_for_update().get(pk=participant.pk)
        check_record_version(current, version, object_type=OBJECT_TYPE)
        change = PhaseChange.objects.create(
            participant=current,
            from_phase=current.phase,
            to_phase=target,
            hearing=hearing,
            criteria_met=met,
            override_reason=reason if not met else "",
            decided_by=by,
        )
        before = current.phase.number
        current.phase = target
        current.phase_started_on = hearing.held_on
        current.version += 1
        current.save(update_fields=["phase", "phase_started_on", "version"])
        audit_record(
            actor=by,
            action="update",
            client_id=current.client_id,
            object_type=OBJECT_TYPE,
            object_id=current.pk,
            changes={
                "phase": [before, target.number],
                "hearing": hearing.pk,
                "criteria_met": met,
                "version": [version, current.version],
            },
        )
    participant.refresh_from_db()
    return change


def draw_day(court_program: CourtProgram, day: date) -> DailyDraw:
    """The day's draw: the colours whose groups test, and the call-in line's message. Drawn once
    and kept; asked again, the kept draw is returned unchanged."""
    kept = DailyDraw.objects.filter(court_program=court_program, day=day).first()
    if kept is not None:
        return kept
    colours = [
        group.colour
        for group in court_program.testing_groups.select_related("phase").order_by("colour")
        if is_test_day(court_program.draw_seed, group.colour, day, group.phase.tests_per_week)
    ]
    said = ", ".join(colours) if colours else "no colour"
    message = f"{court_program.name}, {day:%A %B} {day.day}: {said} test today."
    try:
        with transaction.atomic():
            draw = DailyDraw.objects.create(
                court_program=court_program, day=day, colours=colours, message=message
            )
            audit_record(
                actor=None,
                action="create",
                object_type="court_draw",
                object_id=draw.pk,
                organisation_id=court_program.organisation_id,
                changes={"day": day.isoformat(), "colours": colours},
            )
    except IntegrityError:  # drawn at the same moment elsewhere: that one stands
        return DailyDraw.objects.get(court_program=court_program, day=day)
    return draw

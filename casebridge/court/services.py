"""Changes to a court record, and what the record says of a phase's criteria. One transaction
each, checked before saving, audited.

Keeping a participant's court record is the case manager's coordination work: it needs the
`plan` action on the client (the client's case managers and supervisors)."""

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from casebridge.access.policy import Action
from casebridge.accounts.models import User
from casebridge.audit.services import audit_record, audit_record_many
from casebridge.audit.versions import check_record_version, check_version
from casebridge.clients.models import Client, Collateral
from casebridge.clients.queries import user_may
from casebridge.clients.services import timeline_add
from casebridge.court.draw import is_test_day
from casebridge.court.models import (
    Behaviour,
    CourtProgram,
    CourtResponse,
    CourtTeamMember,
    DailyDraw,
    Hearing,
    Obligation,
    ObligationKind,
    Participant,
    ParticipantStatus,
    Phase,
    PhaseChange,
    ResponseKind,
    StaffingNote,
    TestingGroup,
)
from casebridge.court.progress import (
    days_without_use,
    next_phase,
    phase_criteria,
    response_proposal,
    unmet,
)
from casebridge.court.queries import served_courts
from casebridge.inputs import text_problem
from casebridge.monitoring.models.recovery import DrugScreen

OBJECT_TYPE = "court_participant"
TIMELINE_KIND = "court"
REASON_LIMIT = 1000


def _may_keep(by: User, client: Client) -> None:
    if not user_may(by, client, Action.PLAN):
        raise ValidationError(
            "Only the client's case manager or a supervisor keeps the court record."
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
    if not served_courts(by).filter(pk=court_program.pk).exists():
        raise ValidationError(
            "Only the case managers and supervisors of the program serving the court keep its "
            "calendar."
        )
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
        testing_group=testing_group_for(first),
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
            timeline_add(
                client=client,
                kind=TIMELINE_KIND,
                summary=f"Entered {court_program.name} (docket {docket_number}) in phase "
                f"{first.number}: {first.name}",
                actor=by,
            )
    except IntegrityError:
        raise ValidationError(
            "The client already takes part in a court, or another participant has that docket "
            "number."
        ) from None
    return participant


def _check_held(
    participant: Participant, hearing: Hearing | None, today: date, what: str, since_phase: bool
) -> Hearing:
    """The hearing a decision names: the participant's court's, held today or before, and
    since the participant's current phase began (`since_phase`) or since they entered."""
    if hearing is None:
        raise ValidationError({"hearing": f"{what} at a hearing: choose the hearing."})
    if hearing.court_program_id != participant.court_program_id:
        raise ValidationError({"hearing": "Choose a hearing of the participant's court."})
    if hearing.held_on > today:
        raise ValidationError({"hearing": f"{what} at a hearing held today or before."})
    if since_phase and hearing.held_on < participant.phase_started_on:
        raise ValidationError(
            {"hearing": "That hearing was held before the participant's current phase began."}
        )
    if hearing.held_on < participant.entered_on:
        raise ValidationError(
            {"hearing": "That hearing was held before the participant entered the court."}
        )
    return hearing


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
    _check_held(participant, hearing, today, "A phase is decided", since_phase=True)
    target = next_phase(participant)
    if target is None:
        raise ValidationError("This is the court's last phase: what follows is graduation.")
    reason = override_reason.strip()
    problem = text_problem(reason, multiline=True, max_length=REASON_LIMIT)
    if problem:
        raise ValidationError({"override_reason": problem})
    missing = unmet(phase_criteria(participant, today), team_confirmed=team_confirmed)
    met = not missing
    if not met and not reason:
        raise ValidationError(
            {
                "override_reason": (
                    f"The record does not meet this phase's criteria ({'; '.join(missing)}). "
                    "To move up "
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
        current.testing_group = testing_group_for(target)
        current.version += 1
        current.save(update_fields=["phase", "phase_started_on", "testing_group", "version"])
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
        timeline_add(
            client=participant.client,
            kind=TIMELINE_KIND,
            summary=f"Moved up to phase {target.number}: {target.name}, at the hearing of "
            f"{_day(hearing.held_on)}",
            actor=by,
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


# The court team on the participant's record

TEAM_ROLES = ("judge", "defence_attorney", "prosecutor", "supervising_officer")


def court_team_set(
    *,
    participant: Participant,
    by: User,
    version: int,
    accounts: Iterable[CourtTeamMember] | None = None,
    **team: Collateral | None,
) -> Participant:
    """Name the court team from the client's contacts: the judge, the defence attorney, the
    prosecutor and the probation or parole officer (each may be left empty); and, when given,
    which of the court's team accounts read the participant's shared record."""
    _may_keep(by, participant.client)
    if set(team) - set(TEAM_ROLES):
        raise ValueError("Unknown court team role.")
    errors = {
        role: "Choose one of the client's contacts."
        for role, person in team.items()
        if person is not None and person.client_id != participant.client_id
    }
    members = list(accounts) if accounts is not None else None
    if members is not None and any(
        m.court_program_id != participant.court_program_id for m in members
    ):
        errors["accounts"] = "Choose among this court's team accounts."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        current = Participant.objects.select_for_update().get(pk=participant.pk)
        check_record_version(current, version, object_type=OBJECT_TYPE)
        before = {role: getattr(current, f"{role}_id") for role in team}
        for role, person in team.items():
            setattr(current, role, person)
        current.version += 1
        current.save(update_fields=[*team, "version"])
        changes: dict[str, Any] = {
            role: [before[role], person.pk if person else None]
            for role, person in team.items()
            if before[role] != (person.pk if person else None)
        }
        if members is not None:
            had = sorted(current.team_accounts.values_list("pk", flat=True))
            now = sorted(m.pk for m in members)
            if had != now:
                current.team_accounts.set(members)
                changes["team_accounts"] = [had, now]
        audit_record(
            actor=by,
            action="update",
            client_id=current.client_id,
            object_type=OBJECT_TYPE,
            object_id=current.pk,
            changes={**changes, "version": [version, current.version]},
        )
    participant.refresh_from_db()
    return participant


# Incentives, sanctions and changes to services


def response_record(
    *,
    participant: Participant,
    hearing: Hearing | None,
    behaviour: Behaviour,
    by: User,
    kind: str = "",
    description: str = "",
    note: str = "",
    today: date | None = None,
) -> CourtResponse:
    """Record what the judge gave at `hearing` for `behaviour`: the schedule's response when
    `kind` and `description` are left empty, else what the judge chose instead. There is no
    incentive or sanction without a hearing."""
    today = today or timezone.localdate()
    _may_keep(by, participant.client)
    if participant.status != ParticipantStatus.ACTIVE:
        raise ValidationError("Responses are for a participant still taking part.")
    if behaviour.court_program_id != participant.court_program_id:
        raise ValidationError({"behaviour": "Choose one of the court's behaviours."})
    _check_held(participant, hearing, today, "The judge gives a response", since_phase=False)
    assert hearing is not None
    proposal = response_proposal(participant, behaviour)
    errors: dict[str, str] = {}
    description = description.strip()
    if not kind and not description:
        if proposal is None:
            errors["description"] = (
                "The court's schedule has no response for this behaviour: say what the judge gave."
            )
        else:
            kind, description = proposal.kind, proposal.description
    elif not kind:
        errors["kind"] = "Say whether it is an incentive, a sanction or a change to services."
    elif not description:
        errors["description"] = "Say what the judge gave."
    if kind and kind not in ResponseKind.values:
        errors["kind"] = "Say whether it is an incentive, a sanction or a change to services."
    if behaviour.positive and kind == ResponseKind.SANCTION:
        errors["kind"] = "A sanction answers a step back; this behaviour is a step forward."
    if not behaviour.positive and kind == ResponseKind.INCENTIVE:
        errors["kind"] = "An incentive rewards a step forward; this behaviour is a step back."
    for field, text, multiline, limit in (
        ("description", description, False, 200),
        ("note", note, True, REASON_LIMIT),
    ):
        problem = text_problem(text, multiline=multiline, max_length=limit)
        if problem:
            errors[field] = problem
    if errors:
        raise ValidationError(errors)
    followed = proposal is not None and (kind, description) == (
        proposal.kind,
        proposal.description,
    )
    with transaction.atomic():
        response = CourtResponse.objects.create(
            participant=participant,
            hearing=hearing,
            behaviour=behaviour,
            kind=kind,
            description=description,
            followed_schedule=followed,
            note=note.strip(),
            recorded_by=by,
        )
        audit_record(
            actor=by,
            action="create",
            client_id=participant.client_id,
            object_type="court_response",
            object_id=response.pk,
            changes={"kind": kind, "hearing": hearing.pk, "followed_schedule": followed},
        )
        timeline_add(
            client=participant.client,
            kind=TIMELINE_KIND,
            summary=f"{ResponseKind(kind).label} at the hearing of {_day(hearing.held_on)}: "
            f"{description}",
            actor=by,
        )
    return response


# The staffing report's recommendation


def recommendation_save(
    *,
    participant: Participant,
    hearing: Hearing,
    recommendation: str,
    by: User,
    version: int,
    today: date | None = None,
) -> StaffingNote:
    """The case manager's recommendation for the hearing's staffing report. `version` 0 for a
    first one; a hearing already held keeps its report as it was."""
    today = today or timezone.localdate()
    _may_keep(by, participant.client)
    if hearing.court_program_id != participant.court_program_id:
        raise ValidationError("Choose a hearing of the participant's court.")
    if hearing.held_on < today:
        raise ValidationError("That hearing has been held: its staffing report stays as it was.")
    text = recommendation.strip()
    problem = text_problem(text, multiline=True, max_length=REASON_LIMIT)
    if problem or not text:
        raise ValidationError({"recommendation": problem or "Write the recommendation."})
    with transaction.atomic():
        note = (
            StaffingNote.objects.select_for_update()
            .filter(hearing=hearing, participant=participant)
            .first()
        )
        current = note.version if note is not None else 0
        check_version(
            current=current,
            version=version,
            client_id=participant.client_id,
            object_type="court_staffing_note",
            object_id=note.pk if note is not None else None,
        )
        if note is None:
            try:
                with transaction.atomic():
                    note = StaffingNote.objects.create(
                        hearing=hearing,
                        participant=participant,
                        recommendation=text,
                        written_by=by,
                    )
            except IntegrityError:  # written at the same moment by someone else
                check_version(
                    current=1,
                    version=version,
                    client_id=participant.client_id,
                    object_type="court_staffing_note",
                    object_id=None,
                )
                raise
        else:
            note.recommendation = text
            note.written_by = by
            note.version += 1
            note.save(update_fields=["recommendation", "written_by", "version", "updated_at"])
        audit_record(
            actor=by,
            action="create" if current == 0 else "update",
            client_id=participant.client_id,
            object_type="court_staffing_note",
            object_id=note.pk,
            changes={"hearing": hearing.pk, "version": [current, note.version]},
        )
    return note


# Graduation, termination, withdrawal

END_WORDS = {
    ParticipantStatus.GRADUATED: "graduated",
    ParticipantStatus.TERMINATED: "was terminated from the court",
    ParticipantStatus.WITHDRAWN: "withdrew from the court",
}


def participation_end(
    *,
    participant: Participant,
    status: str,
    by: User,
    version: int,
    reason: str = "",
    hearing: Hearing | None = None,
    team_confirmed: bool = False,
    today: date | None = None,
) -> Participant:
    """End the participation. Graduation and termination are decided at a hearing; a
    withdrawal may be recorded without one. Graduation is from the last phase, and when the
    record does not meet its criteria it needs the team's reason; a termination or withdrawal
    always says why."""
    today = today or timezone.localdate()
    _may_keep(by, participant.client)
    if status not in END_WORDS:
        raise ValidationError({"status": "Choose graduation, termination or withdrawal."})
    if participant.status != ParticipantStatus.ACTIVE:
        raise ValidationError("The participation has already ended.")
    if status != ParticipantStatus.WITHDRAWN or hearing is not None:
        what = "Graduation is decided" if status == "graduated" else "A termination is decided"
        if status == ParticipantStatus.WITHDRAWN:
            what = "A withdrawal is recorded"
        _check_held(participant, hearing, today, what, since_phase=False)
    reason = reason.strip()
    problem = text_problem(reason, multiline=True, max_length=REASON_LIMIT)
    if problem:
        raise ValidationError({"reason": problem})
    criteria_met = True
    if status == ParticipantStatus.GRADUATED:
        if next_phase(participant) is not None:
            raise ValidationError(
                {"status": "Graduation is from the court's last phase: move up first."}
            )
        missing = unmet(phase_criteria(participant, today), team_confirmed=team_confirmed)
        criteria_met = not missing
        if missing and not reason:
            raise ValidationError(
                {
                    "reason": (
                        f"The record does not meet what graduation asks ({'; '.join(missing)}). "
                        "To graduate anyway, give the team's reason."
                    )
                }
            )
    elif not reason:
        raise ValidationError({"reason": "Say why the participation ends."})
    ended_on = hearing.held_on if hearing is not None else today
    with transaction.atomic():
        current = Participant.objects.select_for_update().get(pk=participant.pk)
        check_record_version(current, version, object_type=OBJECT_TYPE)
        current.status = status
        current.ended_on = ended_on
        current.end_reason = reason
        current.end_hearing = hearing
        current.days_without_use_at_end = days_without_use(participant, ended_on)
        current.version += 1
        current.save(
            update_fields=[
                "status",
                "ended_on",
                "end_reason",
                "end_hearing",
                "days_without_use_at_end",
                "version",
            ]
        )
        audit_record(
            actor=by,
            action="update",
            client_id=current.client_id,
            object_type=OBJECT_TYPE,
            object_id=current.pk,
            changes={
                "status": [ParticipantStatus.ACTIVE.value, status],
                "ended_on": ended_on.isoformat(),
                "criteria_met": criteria_met,
                "version": [version, current.version],
            },
        )
        timeline_add(
            client=participant.client,
            kind=TIMELINE_KIND,
            summary=f"{_day(ended_on)}: {END_WORDS[ParticipantStatus(status)]} "
            f"({current.court_program.name})",
            actor=by,
        )
    participant.refresh_from_db()
    return participant


def _day(day: date) -> str:
    return f"{day:%b} {day.day}, {day:%Y}"


# The testing line: call-ins, and the day's check for what was missed


def testing_group_for(phase: Phase) -> TestingGroup | None:
    """The colour a participant tests with in this phase: the phase's first group."""
    return phase.testing_groups.order_by("colour").first()


def call_in_record(*, participant: Participant, day: date, by: User) -> Obligation:
    """The participant called the testing line on `day` (today or a day before, since entry).
    A call-in the day's check had found missed becomes kept."""
    _may_keep(by, participant.client)
    if participant.status != ParticipantStatus.ACTIVE:
        raise ValidationError("Call-ins are for a participant still taking part.")
    if day > timezone.localdate():
        raise ValidationError({"day": "A call-in is recorded on its day or after, not before."})
    if day < participant.entered_on:
        raise ValidationError({"day": "That day is before the participant entered the court."})
    with transaction.atomic():
        call, created = Obligation.objects.update_or_create(
            participant=participant,
            day=day,
            kind=ObligationKind.CALL_IN,
            defaults={"client_id": participant.client_id, "kept": True, "recorded_by": by},
        )
        audit_record(
            actor=by,
            action="create" if created else "update",
            client_id=participant.client_id,
            object_type="court_call_in",
            object_id=call.pk,
            changes={"day": day.isoformat(), "kept": True},
        )
    return call


def court_day(today: date | None = None) -> int:
    """The day's work of every active court, safe to run any number of times: today's draw (so
    the call-in line has its message first thing), and yesterday's obligations: a participant
    with no call-in yesterday missed it, and one whose colour was drawn and who has no drug
    screen that day missed the test. Each court in its own transaction. Returns how many
    missed obligations it found."""
    today = today or timezone.localdate()
    yesterday = today - timedelta(days=1)
    missed = 0
    for court in CourtProgram.objects.filter(active=True).order_by("pk"):
        draw_day(court, today)
        drawn = set(draw_day(court, yesterday).colours)
        with transaction.atomic():
            missed += _missed_on(court, yesterday, drawn)
    return missed


def _missed_on(court: CourtProgram, day: date, drawn: set[str]) -> int:
    taking_part = list(
        Participant.objects.filter(
            court_program=court, status=ParticipantStatus.ACTIVE, entered_on__lte=day
        ).select_related("testing_group")
    )
    if not taking_part:
        return 0
    ids = [p.pk for p in taking_part]
    known = set(
        Obligation.objects.filter(participant_id__in=ids, day=day).values_list(
            "participant_id", "kind"
        )
    )
    tested = set(
        DrugScreen.objects.filter(
            client_id__in=[p.client_id for p in taking_part], collected_on=day
        ).values_list("client_id", flat=True)
    )
    rows = []
    for p in taking_part:
        if (p.pk, ObligationKind.CALL_IN) not in known:
            rows.append(
                Obligation(
                    participant=p,
                    client_id=p.client_id,
                    day=day,
                    kind=ObligationKind.CALL_IN,
                    kept=False,
                )
            )
        if (
            p.testing_group is not None
            and p.testing_group.colour in drawn
            and p.client_id not in tested
            and (p.pk, ObligationKind.TEST) not in known
        ):
            rows.append(
                Obligation(
                    participant=p,
                    client_id=p.client_id,
                    day=day,
                    kind=ObligationKind.TEST,
                    kept=False,
                )
            )
    made = Obligation.objects.bulk_create(rows, ignore_conflicts=True)
    if made:
        audit_record_many(
            actor=None,
            action="create",
            object_type="court_obligation_missed",
            changes={"day": day.isoformat()},
            records=[(court.organisation_id, row.client_id, row.participant_id) for row in made],
        )
    return len(made)

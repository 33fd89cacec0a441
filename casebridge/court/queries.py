"""Reads of court records: a client's participation, the hearings a decision can name, and the
courts a person serves. Clients come through the access policy (clients.queries.client_for);
a court's calendar is for the case managers and supervisors of the program that serves it."""

from datetime import date, timedelta
from typing import Any

from django.db.models import Case, QuerySet, Value, When

from casebridge.access.policy import Action
from casebridge.accounts.models import Role, User
from casebridge.clients.models import Client, Collateral
from casebridge.court.models import (
    Behaviour,
    CourtProgram,
    CourtResponse,
    CourtTeamMember,
    DailyDraw,
    Hearing,
    Obligation,
    Participant,
    PhaseChange,
    StaffingNote,
)

HELD_SHOWN = 12  # the latest hearings held, on the calendar page

SERVING_ROLES = (Role.CASE_MANAGER, Role.SUPERVISOR)


def participation(client: Client) -> Participant | None:
    """The client's court record: the one under way, else the latest."""
    records = (
        Participant.objects.filter(client=client)
        .select_related(
            "court_program",
            "phase",
            "judge",
            "defence_attorney",
            "prosecutor",
            "supervising_officer",
            "testing_group",
        )
        .prefetch_related("team_accounts__user")
    )
    # One read: the record under way first, then the latest (a client has at most one under way).
    under_way_first = Case(When(status="active", then=Value(0)), default=Value(1))
    return records.order_by(under_way_first, "-entered_on", "-id").first()


def decisions(participant: Participant) -> list[PhaseChange]:
    return list(
        participant.phase_changes.select_related("from_phase", "to_phase", "hearing", "decided_by")
    )


def deciding_hearings(participant: Participant, today: date) -> QuerySet[Hearing]:
    """The hearings a phase decision can be recorded with: the court's, held since the current
    phase began and no later than today, the latest first."""
    return Hearing.objects.filter(
        court_program_id=participant.court_program_id,
        held_on__gte=participant.phase_started_on,
        held_on__lte=today,
    ).order_by("-held_on", "-id")


def courts_for_client(client: Client) -> QuerySet[CourtProgram]:
    return CourtProgram.objects.filter(organisation_id=client.organisation_id, active=True)


def served_courts(user: Any) -> QuerySet[CourtProgram]:
    """The courts whose calendar this person keeps: a case manager's or supervisor's programs'."""
    if not isinstance(user, User) or user.role not in SERVING_ROLES or not user.organisation_id:
        return CourtProgram.objects.none()
    return CourtProgram.objects.filter(
        organisation_id=user.organisation_id, program__in=user.programs.all()
    )


def court_for(user: Any, court_id: int) -> CourtProgram | None:
    return served_courts(user).filter(pk=court_id).first()


def calendar(court: CourtProgram, since: date) -> list[Hearing]:
    return list(court.hearings.filter(held_on__gte=since).order_by("held_on", "starts_at", "id"))


def held(court: CourtProgram, today: date) -> list[Hearing]:
    """The latest hearings held, the latest first (their staffing reports stay readable)."""
    return list(court.hearings.filter(held_on__lt=today).order_by("-held_on", "-id")[:HELD_SHOWN])


def held_hearings(participant: Participant, today: date) -> QuerySet[Hearing]:
    """The hearings a response or an ending can name: the court's, held since the participant
    entered and no later than today, the latest first."""
    return Hearing.objects.filter(
        court_program_id=participant.court_program_id,
        held_on__gte=participant.entered_on,
        held_on__lte=today,
    ).order_by("-held_on", "-id")


def responses(participant: Participant) -> list[CourtResponse]:
    return list(
        participant.responses.select_related("hearing", "behaviour", "recorded_by").order_by(
            "-hearing__held_on", "-id"
        )
    )


OBLIGATIONS_SHOWN_DAYS = 14


def obligations(participant: Participant, today: date) -> list[Obligation]:
    """The participant's call-ins and drawn-day tests of the last two weeks, the latest first."""
    return list(
        participant.obligations.filter(
            day__gt=today - timedelta(days=OBLIGATIONS_SHOWN_DAYS)
        ).order_by("-day", "kind")
    )


def draws(court: CourtProgram, today: date) -> list[DailyDraw]:
    """The draws of the last two weeks, today's first."""
    return list(
        DailyDraw.objects.filter(
            court_program=court,
            day__gt=today - timedelta(days=OBLIGATIONS_SHOWN_DAYS),
            day__lte=today,
        ).order_by("-day")
    )


def behaviours(court_program_id: int) -> QuerySet[Behaviour]:
    return Behaviour.objects.filter(court_program_id=court_program_id)


def contacts(client_id: int) -> QuerySet[Collateral]:
    """The client's contacts, to name the court team from."""
    return Collateral.objects.filter(client_id=client_id).order_by("name")


def draw_on(court_program_id: int, day: date) -> DailyDraw | None:
    return DailyDraw.objects.filter(court_program_id=court_program_id, day=day).first()


def keeping(user: Any, client_ids: list[int]) -> set[int]:
    """Which of these clients `user` may keep the court record of (one query, the policy's)."""
    return set(
        Client.objects.restrict(user, Action.PLAN)
        .filter(pk__in=client_ids)
        .values_list("pk", flat=True)
    )


def docket_participant(hearing: Hearing, participant_id: int) -> Participant | None:
    """A participant of the hearing's court (the client still comes through the policy)."""
    return (
        Participant.objects.filter(pk=participant_id, court_program_id=hearing.court_program_id)
        .select_related("phase", "court_program")
        .first()
    )


def staffing_note(hearing: Hearing, participant: Participant) -> StaffingNote | None:
    return StaffingNote.objects.filter(hearing=hearing, participant=participant).first()


def hearing(hearing_id: int) -> Hearing | None:
    """A hearing by its id, with its court; who may read it is the caller's object rule."""
    return Hearing.objects.select_related("court_program").filter(pk=hearing_id).first()


def team_accounts(court_program_id: int) -> QuerySet[CourtTeamMember]:
    """The court team accounts of a court, for the case manager to name for a participant."""
    return CourtTeamMember.objects.filter(court_program_id=court_program_id).select_related("user")

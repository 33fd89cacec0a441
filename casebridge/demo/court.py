"""Synthetic treatment-court records for `generate`: one drug court run with the agency's first
program, five phases, a colour group per phase, a status hearing every other week over the last
six months and the next two, the daily draws of the last thirty days, a schedule of graduated
responses, and about one in ten of the program's clients in care taking part, each in a phase
that fits how long they have been in the court, with the decisions that moved them there, the
incentives and sanctions given at past hearings and recommendations for the next one."""

import random
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from itertools import pairwise
from typing import Protocol

from django.utils import timezone

from casebridge.accounts.models import Organisation, Program, Role, User
from casebridge.clients import services as client_services
from casebridge.clients.models import Client, Relationship
from casebridge.consents import services as consent_services
from casebridge.consents.models import (
    Consent,
    ConsentStatus,
    ExpiryKind,
    InformationCategory,
    Purpose,
    RecipientKind,
    SignatureMethod,
)
from casebridge.court import services as court_services
from casebridge.court.draw import is_test_day
from casebridge.court.models import (
    Behaviour,
    ChargeCategory,
    CourtProgram,
    CourtResponse,
    CourtTeamMember,
    DailyDraw,
    Hearing,
    Obligation,
    ObligationKind,
    Participant,
    Phase,
    PhaseChange,
    ScheduledResponse,
    Seat,
    StaffingNote,
    TestingGroup,
    Track,
)

COURT_NAME = "Adult Drug Court"
# (name, days at least, days without use, tests a week, hearing every, meetings a week, colour)
PHASES = (
    ("Orientation", 30, 14, 3, 7, 2, "Red"),
    ("Stabilisation", 60, 30, 3, 14, 3, "Orange"),
    ("Treatment", 90, 60, 2, 14, 3, "Blue"),
    ("Maintenance", 90, 90, 1, 28, 2, "Green"),
    ("Transition", 60, 120, 1, 28, 2, "Purple"),
)
COURT_SHARE = 0.1
DRAW_DAYS = 30
# (behaviour, a step forward, [(step, from phase, kind, response)]): use in the first two phases
# meets more treatment, later a sanction.
SCHEDULE = (
    (
        "Steady attendance and clean tests",
        True,
        [
            (1, 1, "incentive", "Praise from the bench and applause"),
            (2, 1, "incentive", "A $10 gift card"),
            (3, 1, "incentive", "Fewer status hearings for a month"),
        ],
    ),
    (
        "A positive or missed test",
        False,
        [
            (1, 1, "service", "An extra counselling session that week"),
            (2, 1, "service", "Intensive outpatient assessment"),
            (1, 3, "sanction", "A written essay read in court"),
            (2, 3, "sanction", "Eight hours of community service"),
        ],
    ),
    (
        "A missed treatment session",
        False,
        [
            (1, 1, "sanction", "A warning from the judge"),
            (2, 1, "sanction", "Four hours of community service"),
        ],
    ),
)


class InCourt(Protocol):
    @property
    def pk(self) -> int: ...
    @property
    def registered_at(self) -> datetime: ...
    @property
    def program_id(self) -> int: ...
    @property
    def stage(self) -> str: ...


def court_setup(organisation: Organisation, program: Program) -> CourtProgram:
    court, created = CourtProgram.objects.get_or_create(
        organisation=organisation,
        name=COURT_NAME,
        defaults={"program": program, "court_name": "Superior Court, Department 12"},
    )
    if created:
        for number, (name, days, clean, tests, every, meetings, colour) in enumerate(PHASES, 1):
            phase = Phase.objects.create(
                court_program=court,
                number=number,
                name=name,
                min_days=days,
                days_without_use=clean,
                tests_per_week=tests,
                hearing_every_days=every,
                meetings_per_week=meetings,
                work_or_school=number >= 3,
                fees_paid=number == 5,
            )
            TestingGroup.objects.create(court_program=court, phase=phase, colour=colour)
        for name, positive, steps in SCHEDULE:
            behaviour = Behaviour.objects.create(court_program=court, name=name, positive=positive)
            ScheduledResponse.objects.bulk_create(
                ScheduledResponse(
                    behaviour=behaviour, step=step, from_phase=start, kind=kind, description=text
                )
                for step, start, kind, text in steps
            )
    return court


def court_generate(
    *,
    organisation: Organisation,
    program: Program,
    clients: Iterable[InCourt],
    rng: random.Random,
    now: datetime,
    judge_id: int,
) -> int:
    """The court's calendar, draws and participants. Returns how many participants."""
    court = court_setup(organisation, program)
    today = timezone.localdate(now)
    phases = list(court.phases.order_by("number"))
    groups = {group.phase_id: group for group in court.testing_groups.select_related("phase")}
    first_hearing = today - timedelta(days=182)
    hearings = list(court.hearings.order_by("held_on"))
    if not hearings:
        hearings = Hearing.objects.bulk_create(
            [
                Hearing(
                    court_program=court,
                    held_on=first_hearing + timedelta(days=14 * n),
                    courtroom="12",
                    created_by_id=judge_id,
                )
                for n in range(18)
            ]
        )
    past = [h for h in hearings if h.held_on <= today]
    kept = set(DailyDraw.objects.filter(court_program=court).values_list("day", flat=True))
    DailyDraw.objects.bulk_create(
        [
            _draw(court, today - timedelta(days=n), groups.values())
            for n in range(DRAW_DAYS)
            if today - timedelta(days=n) not in kept
        ]
    )
    candidates = [
        c
        for c in clients
        if c.program_id == program.pk and c.stage in {"implementation", "monitoring", "review"}
    ]
    taking_part = [c for c in candidates if rng.random() < COURT_SHARE] or candidates[:1]
    participants: list[Participant] = []
    moves: list[tuple[int, list[Phase], date]] = []
    for index, client in enumerate(taking_part):
        entered = max(first_hearing, timezone.localdate(client.registered_at))
        days_in = (today - entered).days
        # Past the first phase when its days are up; further as far as the phases' least days
        # allow, and often a phase behind that.
        reached, elapsed = 0, 0
        for position, phase in enumerate(phases[:-1]):
            if elapsed + phase.min_days <= days_in and (position == 0 or rng.random() < 0.7):
                elapsed += phase.min_days
                reached = position + 1
            else:
                break
        phase = phases[reached]
        started = entered + timedelta(days=elapsed)
        participants.append(
            Participant(
                client_id=client.pk,
                court_program=court,
                docket_number=f"CR-{entered.year}-{client.pk:06d}",
                charge_category=rng.choice(list(ChargeCategory)),
                track=rng.choice(list(Track)),
                entered_on=entered,
                expected_graduation_on=entered + timedelta(days=sum(p.min_days for p in phases)),
                phase=phase,
                phase_started_on=started,
                testing_group=groups.get(phase.pk),
            )
        )
        moves.append((index, phases[: reached + 1], entered))
    Participant.objects.bulk_create(participants)
    changes = []
    for index, path, entered in moves:
        participant = participants[index]
        day = entered
        for before, after in pairwise(path):
            day += timedelta(days=before.min_days)
            hearing = next((h for h in past if h.held_on >= day), past[-1] if past else None)
            if hearing is None:
                continue
            changes.append(
                PhaseChange(
                    participant=participant,
                    from_phase=before,
                    to_phase=after,
                    hearing=hearing,
                    criteria_met=rng.random() < 0.9,
                    override_reason="",
                    decided_by_id=judge_id,
                )
            )
    for change in changes:
        if not change.criteria_met:
            change.override_reason = "The team moved them up for steady work and meetings."
    PhaseChange.objects.bulk_create(changes)
    _team_account(organisation, court, participants)
    _responses(court, participants, past, rng, judge_id)
    _court_consents(organisation, court, participants, rng, judge_id)
    _call_ins(participants, today, rng, judge_id)
    coming = next((h for h in hearings if h.held_on >= today), None)
    if coming is not None:
        StaffingNote.objects.bulk_create(
            StaffingNote(
                hearing=coming,
                participant=participant,
                recommendation=rng.choice(RECOMMENDATIONS),
                written_by_id=judge_id,
            )
            for index, participant in enumerate(participants)
            if index == 0 or rng.random() < 0.5
        )
    return len(participants)


def _team_account(
    organisation: Organisation, court: CourtProgram, participants: list[Participant]
) -> None:
    """The court's judge reads every participant through a court team account."""
    judge, _ = User.objects.get_or_create(
        username=f"court-judge-{court.pk}",
        defaults={
            "first_name": "Maria",
            "last_name": "Reyes",
            "organisation": organisation,
            "role": Role.COURT_TEAM,
        },
    )
    seat, _ = CourtTeamMember.objects.get_or_create(
        user=judge, defaults={"court_program": court, "seat": Seat.JUDGE}
    )
    Participant.team_accounts.through.objects.bulk_create(
        Participant.team_accounts.through(participant_id=p.pk, courtteammember_id=seat.pk)
        for p in participants
    )


def _court_consents(
    organisation: Organisation,
    court: CourtProgram,
    participants: list[Participant],
    rng: random.Random,
    by_id: int,
) -> None:
    """Most participants signed a consent, on entering, to share with the court for court
    purposes: their progress, and often their drug tests and attendance too, until the final
    disposition of their case."""
    names = dict(
        (pk, f"{first} {last}")
        for pk, first, last in Client.objects.filter(
            pk__in=[p.client_id for p in participants]
        ).values_list("pk", "legal_first_name", "legal_last_name")
    )
    optional = [InformationCategory.DRUG_SCREENS, InformationCategory.ATTENDANCE]
    Consent.objects.bulk_create(
        Consent(
            client_id=p.client_id,
            status=ConsentStatus.ACTIVE,
            patient_name=names[p.client_id],
            disclosing_party=organisation.name,
            categories=[InformationCategory.PROGRESS] + [c for c in optional if rng.random() < 0.8],
            recipient_kind=RecipientKind.NAMED,
            recipient_name=court.court_name,
            purpose=Purpose.COURT,
            right_to_revoke_explained=True,
            expiry_kind=ExpiryKind.EVENT,
            expiry_event="Final disposition of the case",
            signature_method=SignatureMethod.UPLOADED,
            signed_by=names[p.client_id],
            signed_on=p.entered_on,
            created_by_id=by_id,
        )
        for index, p in enumerate(participants)
        if index == 0 or rng.random() < 0.8
    )


def _call_ins(participants: list[Participant], today: date, rng: random.Random, by_id: int) -> None:
    """The last two weeks of calls to the testing line: nearly every day, a few missed."""
    Obligation.objects.bulk_create(
        Obligation(
            participant=p,
            client_id=p.client_id,
            day=today - timedelta(days=back),
            kind=ObligationKind.CALL_IN,
            kept=(kept := rng.random() < 0.93),
            recorded_by_id=by_id if kept else None,
        )
        for p in participants
        for back in range(1, 15)
        if today - timedelta(days=back) >= p.entered_on
    )


RECOMMENDATIONS = (
    "Steady: keep the phase's schedule and praise the progress.",
    "Recommend an incentive for a month of clean tests.",
    "Missed a test: an extra counselling session rather than a sanction.",
    "Ready to move up at the next hearing if the tests stay clean.",
)


def _responses(
    court: CourtProgram,
    participants: list[Participant],
    past: list[Hearing],
    rng: random.Random,
    judge_id: int,
) -> None:
    """One to three responses for most participants, at hearings since they entered: mostly
    incentives, as best practice favours."""
    behaviours = list(court.behaviours.prefetch_related("steps"))
    if not behaviours:
        return
    rows = []
    for participant in participants:
        held = [h for h in past if h.held_on >= participant.entered_on]
        for _ in range(rng.choice((1, 1, 2, 3)) if held else 0):
            behaviour = rng.choice(behaviours) if rng.random() < 0.3 else behaviours[0]
            step = rng.choice(list(behaviour.steps.all()))
            rows.append(
                CourtResponse(
                    participant=participant,
                    hearing=rng.choice(held),
                    behaviour=behaviour,
                    kind=step.kind,
                    description=step.description,
                    recorded_by_id=judge_id,
                )
            )
    CourtResponse.objects.bulk_create(rows)


def _draw(court: CourtProgram, day: date, groups: Iterable[TestingGroup]) -> DailyDraw:
    colours = sorted(
        group.colour
        for group in groups
        if is_test_day(court.draw_seed, group.colour, day, group.phase.tests_per_week)
    )
    said = ", ".join(colours) if colours else "no colour"
    return DailyDraw(
        court_program=court,
        day=day,
        colours=colours,
        message=f"{court.name}, {day:%A %B} {day.day}: {said} test today.",
    )


DEMO_PARTICIPANTS = 3


def court_demo(
    court: CourtProgram, case_manager: User, supervisor: User, judge_account: User | None = None
) -> int:
    """For the demo's case manager: a few of their clients in care taking part in the court,
    each with a judge among their contacts, a criminal justice consent naming the judge, a
    hearing two weeks ago where the judge gave an incentive (and one a treatment response), the
    next hearing in three days with a recommendation written, and a week of call-ins, so the
    Court tab, the staffing report, its PDF and the testing line all have something to show.
    The `judge_account`, when given, takes the judge's seat and reads every participant.
    Returns how many participants."""
    today = timezone.localdate()
    if court.participants.exists():
        return 0
    clients = list(
        Client.objects.filter(
            program_id=court.program_id,
            primary_case_manager=case_manager,
            stage__in=["implementation", "monitoring", "review"],
        ).order_by("pk")[:DEMO_PARTICIPANTS]
    )
    # A hearing already held: the calendar takes only days to come, so it is written directly.
    held = Hearing.objects.create(
        court_program=court,
        held_on=today - timedelta(days=14),
        courtroom="12",
        created_by=supervisor,
    )
    coming = court_services.hearing_schedule(
        court_program=court, held_on=today + timedelta(days=3), by=supervisor, courtroom="12"
    )
    seat = (
        CourtTeamMember.objects.get_or_create(
            user=judge_account, defaults={"court_program": court, "seat": Seat.JUDGE}
        )[0]
        if judge_account is not None
        else None
    )
    behaviours: dict[bool, Behaviour] = {}
    for behaviour in court.behaviours.order_by("pk"):
        behaviours.setdefault(behaviour.positive, behaviour)
    for index, client in enumerate(clients):
        participant = court_services.participant_enrol(
            client=client,
            court_program=court,
            by=case_manager,
            docket_number=f"CR-{today.year}-{4100 + index}",
            charge_category=ChargeCategory.POSSESSION if index else ChargeCategory.DUI,
            track=Track.POST_PLEA,
            entered_on=today - timedelta(days=45 + 10 * index),
            expected_graduation_on=today + timedelta(days=330),
        )
        judge = client_services.collateral_add(
            client=client,
            by=case_manager,
            name="Judge Maria Reyes",
            relationship=Relationship.JUDGE,
            organisation_name=court.court_name,
            phone="5550101200",
            email="",
            notes="",
        )
        participant = court_services.court_team_set(
            participant=participant,
            by=case_manager,
            version=participant.version,
            judge=judge,
            accounts=[seat] if seat else None,
        )
        consent_services.consent_save(
            client=client,
            by=case_manager,
            activate=True,
            categories=[
                InformationCategory.PROGRESS,
                InformationCategory.DRUG_SCREENS,
                InformationCategory.ATTENDANCE,
            ],
            recipient_kind=RecipientKind.NAMED,
            recipient_name=court.court_name,
            purpose=Purpose.COURT,
            right_to_revoke_explained=True,
            expiry_kind=ExpiryKind.EVENT,
            expiry_event="Final disposition of the case",
            signature_method=SignatureMethod.VERBAL,
            witness_name=case_manager.display_name,
            signed_by=client.legal_name,
            signed_on=participant.entered_on,
            criminal_justice=True,
            irrevocable_until="the final disposition of the case",
            court_team=[judge.pk],
        )
        if True in behaviours:
            court_services.response_record(
                participant=participant, hearing=held, behaviour=behaviours[True], by=case_manager
            )
        if index == 1 and False in behaviours:
            court_services.response_record(
                participant=participant, hearing=held, behaviour=behaviours[False], by=case_manager
            )
        court_services.recommendation_save(
            participant=participant,
            hearing=coming,
            recommendation=RECOMMENDATIONS[index % len(RECOMMENDATIONS)],
            by=case_manager,
            version=0,
        )
        for back in range(1, 8):
            if back != 3 or index != 2:  # one missed call-in, for the day's check to find
                court_services.call_in_record(
                    participant=participant, day=today - timedelta(days=back), by=case_manager
                )
    court_services.court_day(today)
    return len(clients)

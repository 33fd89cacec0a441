"""`casebridge generate --clients N`: a large synthetic data set for benchmarks.

Rows are written in bulk (not through the services) because they describe no real work, but as
the services would leave them: stage histories, assignments and an audit trail whose chain
verifies (demo.casework). One case manager, `bench-cm`, gets a caseload of exactly --caseload
clients so pages can be compared across database sizes; about 15 in a hundred clients share a
case manager (a secondary one) and 20 in a hundred have a peer or sober coach, and every case
manager and coach works in the programs of their clients.

Each client gets --records-per-client records over about six months (RECORD_MIX says which):
signed contact notes, check-ins, appointments (attended, missed and followed up, cancelled, and
scheduled ahead, a weekly series among them), drug screens with a result for each substance of
their panel, and mutual-help meetings; a client on opioids may also have a MOUD prescription.
What the services would tell the timeline is told too, at the time it happened (a signed note, a
check-in, a missed appointment and its follow-up, a screen, a meeting, a prescription, a flag),
and a screen that is positive, refused or missed raises the relapse-risk flag as it would. At the
end each client's last contact and last attempt are worked out from the notes in one UPDATE, as
signing a note would, and the next contact due and the open safety concern follow. The rest of
each case (assessments and measures, consents, alerts, safety plans, coaching, discharge) is
demo.casework's, which draws from a random stream of its own so a seed's records stay the same.

A hundred records a client is some 300 rows with the screens' results and the timeline: tens of
millions for 100,000 clients. They are written without model instances (Table: COPY on
PostgreSQL), which is several times quicker than bulk_create.
"""

import hashlib
import json
import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from importlib import resources
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Case, DateTimeField, Max, OuterRef, Q, Subquery, When
from django.utils import dateformat, timezone

from casebridge.access.policy import Action
from casebridge.accounts.models import Organisation, Role
from casebridge.audit.models import AuditAction, AuditEvent
from casebridge.clients import stages
from casebridge.clients.extensions import timeline_kind
from casebridge.clients.models import (
    Client,
    ClientFlag,
    ClientQuerySet,
    Collateral,
    FlagKind,
    ReferralSource,
    TimelineEntry,
    TimelineKind,
)
from casebridge.demo.bulk import Table
from casebridge.demo.casework import (
    COACHED_SHARE,
    SECONDARY_SHARE,
    AuditTrail,
    CaseClient,
    Casework,
    rota_generate,
    sequences_reset,
    staff_add,
    teams_join,
)
from casebridge.demo.coaching import coaching_generate
from casebridge.demo.court import court_generate
from casebridge.demo.family import family_contacts_generate, family_generate
from casebridge.demo.management.commands.seed_demo import ensure_organisation
from casebridge.demo.names import FIRST_NAMES, LAST_NAMES
from casebridge.demo.recovery_capital import capital_generate
from casebridge.directory.geography import point_of_zip
from casebridge.directory.models import (
    Address,
    Attribute,
    Language,
    Location,
    Phone,
    Provider,
    Schedule,
    Service,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)
from casebridge.directory.taxonomy import load_builtin_taxonomy
from casebridge.followups.models import FollowUp, FollowUpAttempt, FollowUpOutcome
from casebridge.monitoring.formats import NoteFormat, note_format
from casebridge.monitoring.models import CheckIn, ContactNote, ContactType, NoteAddendum, Sleep
from casebridge.monitoring.models import TimelineKind as MonitoringKind
from casebridge.monitoring.models.appointments import (
    CLINICAL_KINDS,
    TIMELINE_KIND,
    Appointment,
    AppointmentKind,
    AppointmentSeries,
    AppointmentStatus,
    Recurrence,
)
from casebridge.monitoring.models.recovery import (
    Confirmation,
    DrugScreen,
    Fellowship,
    Medication,
    MeetingAttendance,
    RecoveryTimelineKind,
    ScreenMethod,
    ScreenOutcome,
    ScreenResult,
    ScreenStatus,
    Specimen,
    SpecimenProblem,
    SubstanceResult,
    UseDisorderMedication,
    Verification,
)
from casebridge.monitoring.queries import note_rules
from casebridge.monitoring.standards import counting_types
from casebridge.monitoring.statuses import RECORDED, NoteStatus
from casebridge.plans.models import (
    CarePlan,
    Goal,
    GoalProgress,
    Intervention,
    Objective,
    PlanReview,
    PlanSignature,
    PlanTask,
    Problem,
)
from casebridge.plans.statuses import PlanStatus
from casebridge.referrals.models import (
    Referral,
    ReferralCommunication,
    ReferralEvent,
    ReferralLink,
)
from casebridge.referrals.services import TIMELINE_KIND as REFERRAL_TIMELINE_KIND
from casebridge.referrals.statuses import ReferralStatus
from casebridge.transitions.models import (
    HANDOFF_DUE_DAYS,
    Episode,
    HandoffItem,
    HandoffKind,
    Transition,
)

ORGANISATION = "Synthetic Benchmark Agency"
BENCH_USER = "bench-cm"
# More than a page of the Team page (25): with fewer, a small database's team page shows fewer
# people than a large one's, and does less work.
TEAM_PAGE_FILLED = 30
BENCH_PASSWORD = "bench-password-2026"
BATCH = 5000  # clients registered in one transaction


PLANNED = {"implementation", "monitoring", "review"}
# About what six months of case management leaves per client: a contact note or two a week,
# weekly check-ins, appointments, a drug screen every week or two, meetings. Percentages.
RECORDS_PER_CLIENT = 100
RECORD_MIX: tuple[tuple[str, int], ...] = (
    ("notes", 40),
    ("check_ins", 15),
    ("appointments", 20),
    ("screens", 15),
    ("meetings", 10),
)
SPAN_DAYS = 180  # the records of a client cover this many days before they were last seen
AHEAD_DAYS = 28  # appointments are scheduled up to four weeks ahead
# The contacts of generated notes, face to face most often; one in ten did not reach the client.
CONTACTS = (
    [ContactType.FACE_TO_FACE] * 4
    + [ContactType.PHONE] * 3
    + [ContactType.VISIT, ContactType.TEXT, ContactType.ATTEMPTED]
)
# What a client's appointments are, one-off ones: court hearings and health care most often.
SINGLE_KINDS, SINGLE_WEIGHTS = zip(
    (AppointmentKind.COURT, 15),
    (AppointmentKind.MEDICAL, 12),
    (AppointmentKind.THERAPY, 12),
    (AppointmentKind.PROBATION, 10),
    (AppointmentKind.PSYCHIATRY, 8),
    (AppointmentKind.DRUG_TEST, 8),
    (AppointmentKind.EMPLOYMENT, 8),
    (AppointmentKind.HOUSING, 8),
    (AppointmentKind.BENEFITS, 7),
    (AppointmentKind.MUTUAL_HELP, 5),
    (AppointmentKind.GROUP, 4),
    (AppointmentKind.OTHER, 3),
    strict=True,
)
# A weekly obligation (a third of a client's appointments): group, probation, therapy ...
SERIES_KINDS = (
    AppointmentKind.GROUP,
    AppointmentKind.PROBATION,
    AppointmentKind.THERAPY,
    AppointmentKind.DRUG_TEST,
)
PLACES: dict[str, tuple[str, str]] = {  # kind -> (place, with whom)
    AppointmentKind.COURT: ("County Courthouse, Room 3B", "Judge Alvarez"),
    AppointmentKind.MEDICAL: ("Eastside Health Center", "Dr. Okafor"),
    AppointmentKind.PSYCHIATRY: ("Behavioral Health Clinic", "Dr. Lindqvist"),
    AppointmentKind.THERAPY: ("Behavioral Health Clinic", "Counselor Reyes"),
    AppointmentKind.MOUD: ("Opioid Treatment Program", "Dosing window"),
    AppointmentKind.GROUP: ("Main office, group room", "Relapse prevention group"),
    AppointmentKind.PROBATION: ("Probation Department", "Officer Grant"),
    AppointmentKind.DRUG_TEST: ("Collection site", ""),
    AppointmentKind.MUTUAL_HELP: ("St. Mark's hall", ""),
    AppointmentKind.EMPLOYMENT: ("Workforce Center", "Job coach"),
    AppointmentKind.HOUSING: ("Housing Authority", "Intake worker"),
    AppointmentKind.BENEFITS: ("Benefits office", ""),
    AppointmentKind.OTHER: ("", ""),
}
# Minutes; others take an hour.
LONG_KINDS: dict[str, int] = {AppointmentKind.COURT: 180, AppointmentKind.GROUP: 90}
# Panels in use, how often, and how each is taken: (panel, weight, specimen, method).
PANELS_USED: tuple[tuple[str, int, str, str], ...] = (
    ("urine_12", 40, Specimen.URINE, ScreenMethod.POINT_OF_CARE),
    ("urine_5", 15, Specimen.URINE, ScreenMethod.POINT_OF_CARE),
    ("urine_14", 15, Specimen.URINE, ScreenMethod.LAB),
    ("oral_6", 15, Specimen.ORAL_FLUID, ScreenMethod.POINT_OF_CARE),
    ("breath_alcohol", 10, Specimen.BREATH, ScreenMethod.POINT_OF_CARE),
    ("fentanyl_xylazine", 5, Specimen.URINE, ScreenMethod.POINT_OF_CARE),
)
PANEL_CODES, PANEL_WEIGHTS = zip(*((p[0], p[1]) for p in PANELS_USED), strict=True)
TAKEN_AS = {panel: (specimen, method) for panel, _, specimen, method in PANELS_USED}
# What a client's primary substance shows as on a panel, for the few unexpected positives.
SHOWS_AS = {
    "alcohol": ("alcohol",),
    "opioids": ("fentanyl", "opiates", "oxycodone"),
    "stimulants": ("methamphetamine", "amphetamines", "cocaine"),
}
UNEXPECTED_POSITIVE = 0.04  # of screens tested
MOUD_PRESCRIPTIONS = {  # use disorder medication -> (drug, dose, what it screens as)
    UseDisorderMedication.BUPRENORPHINE: (
        "Buprenorphine-naloxone film",
        "8 mg/2 mg daily",
        "buprenorphine",
    ),
    UseDisorderMedication.METHADONE: ("Methadone oral solution", "80 mg daily", "methadone"),
}
FELLOWSHIPS = {
    "alcohol": (Fellowship.AA, Fellowship.AA, Fellowship.SMART, Fellowship.FAITH),
    "opioids": (Fellowship.NA, Fellowship.NA, Fellowship.SMART, Fellowship.REFUGE),
    "stimulants": (Fellowship.NA, Fellowship.SMART, Fellowship.AA, Fellowship.FAITH),
}
MEETING_NAMES = ("Keep Coming Back", "Noon Step Study", "Tuesday Big Book", "Open Discussion", "")
SLEEP = list(Sleep)
VERIFICATIONS = (
    [Verification.SIGNED_SHEET] * 7
    + [Verification.APP] * 4
    + [Verification.COACH] * 2
    + [Verification.SELF_REPORTED] * 7
)


def records_mix(count: int) -> dict[str, int]:
    """How many records of each kind `count` records per client make: RECORD_MIX's shares,
    rounded so they add up to `count` (the largest remainders round up, the earlier kind first)."""
    total = sum(weight for _, weight in RECORD_MIX)
    exact = [(kind, count * weight / total) for kind, weight in RECORD_MIX]
    shares = {kind: int(value) for kind, value in exact}
    left = count - sum(shares.values())
    by_remainder = sorted(range(len(exact)), key=lambda index: (-(exact[index][1] % 1), index))
    for index in by_remainder[:left]:
        shares[exact[index][0]] += 1
    return shares


@dataclass(frozen=True)
class Catalogue:
    """Substance labels and each panel's substances (monitoring/panels.json, read as data)."""

    labels: dict[str, str]
    panels: dict[str, tuple[str, ...]]


def _catalogue() -> Catalogue:
    raw = json.loads(
        resources.files("casebridge.monitoring").joinpath("panels.json").read_text("utf-8")
    )
    labels = {entry["code"]: entry["label"] for entry in raw["substances"]}
    panels = {
        entry["code"]: tuple(code for code in labels if code in set(entry["substances"]))
        for entry in raw["panels"]
    }
    return Catalogue(labels=labels, panels=panels)


CONTACT_LABELS = dict(ContactType.choices)
KIND_LABELS = dict(AppointmentKind.choices)
FELLOWSHIP_LABELS = dict(Fellowship.choices)
VERIFICATION_LABELS = dict(Verification.choices)
SPECIMEN_LABELS = dict(Specimen.choices)
OUTCOME_LABELS = dict(ScreenOutcome.choices)
FLAG_LABELS = dict(FlagKind.choices)
# What a screen that is positive (not as prescribed), refused or missed does: the relapse-risk
# flag goes up unless it is up already (monitoring's screens service).
RAISES_FLAG = frozenset({ScreenOutcome.POSITIVE, ScreenOutcome.REFUSED, ScreenOutcome.MISSED})


def _house_date(day: date) -> str:
    return f"{day:%b} {day.day}, {day.year}"


def _clock(moment: datetime) -> str:
    return dateformat.format(timezone.localtime(moment), "g:i a")


def _joined(labels: Sequence[str]) -> str:
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]


def _at(day: date, hour: int, zone: tzinfo) -> datetime:
    """That hour on that day where the program works."""
    return datetime.combine(day, time(hour), tzinfo=zone)


class Tables:
    """The tables generate writes row by row, flushed in the order their keys point."""

    def __init__(self, now: datetime) -> None:
        self.clients = Table(Client, now)
        self.flags = Table(ClientFlag, now)
        self.notes = Table(ContactNote, now)
        self.check_ins = Table(CheckIn, now)
        self.series = Table(AppointmentSeries, now)
        self.appointments = Table(Appointment, now)
        self.screens = Table(DrugScreen, now)
        self.results = Table(ScreenResult, now)
        self.meetings = Table(MeetingAttendance, now)
        self.medications = Table(Medication, now)
        self.addenda = Table(NoteAddendum, now)
        self.timeline = Table(TimelineEntry, now)
        self.all = [
            self.clients,
            self.flags,
            self.notes,
            self.check_ins,
            self.series,
            self.appointments,
            self.screens,
            self.results,
            self.meetings,
            self.medications,
            self.addenda,
            self.timeline,
        ]

    def tell(
        self,
        client_id: int,
        kind: str,
        at: datetime,
        summary: str,
        actor_id: int | None,
        *,
        detail: str = "",
        needs_action: str | None = None,
    ) -> None:
        """A timeline entry as clients.services.timeline_add writes it, at the time it says."""
        self.timeline.add(
            client_id=client_id,
            at=at,
            kind=kind,
            needs_action=needs_action or timeline_kind(kind).needs_action,
            summary=summary[:300],
            detail=detail,
            actor_id=actor_id,
        )

    def flush(self) -> None:
        for table in self.all:
            table.flush()

    def finish(self) -> None:
        """Move each id sequence past the ids given here (PostgreSQL; SQLite does it itself)."""
        self.flush()
        statements = connection.ops.sequence_reset_sql(
            no_style(), [table.model for table in self.all]
        )
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


@dataclass(frozen=True)
class NoteRules:
    fmt: NoteFormat
    late_after_days: int
    cosign: bool


class Command(BaseCommand):
    help = (
        "Add N synthetic clients (with staff, their case records and audit trail) for benchmarks."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--clients", type=int, required=True)
        parser.add_argument("--caseload", type=int, default=50, help="Clients given to bench-cm.")
        parser.add_argument("--per-case-manager", type=int, default=50)
        parser.add_argument(
            "--min-case-managers",
            type=int,
            default=1,
            help="At least this many case managers however few the clients (the benchmarks ask "
            f"for {TEAM_PAGE_FILLED}, so a supervisor's team fills a page at every size and the "
            "pages compare like with like).",
        )
        parser.add_argument(
            "--records-per-client",
            type=int,
            default=RECORDS_PER_CLIENT,
            help="Notes, check-ins, appointments, drug screens and meetings for each client "
            "(40, 15, 20, 15 and 10 in a hundred).",
        )
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument(
            "--directory-services",
            type=int,
            default=DIRECTORY_SERVICES,
            help="Services added to the agency's resource directory; about 30 in a hundred "
            "clients get a referral, most of them to one of these.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        rng = random.Random(options["seed"])
        # What the case adds beyond the records draws from a stream of its own, so the records
        # a seed gives stay the same whatever is added here.
        case_rng = random.Random(f"{options['seed']}/casework")
        total: int = options["clients"]
        mix = records_mix(max(0, options["records_per_client"]))
        organisation, programs = ensure_organisation(ORGANISATION, "SY")
        staff_model = get_user_model()
        bench, created = staff_model.objects.get_or_create(
            username=BENCH_USER,
            defaults={
                "first_name": "Bench",
                "last_name": "Manager",
                "organisation": organisation,
                "role": Role.CASE_MANAGER,
            },
        )
        if created:
            bench.set_password(BENCH_PASSWORD)
            bench.save()
            bench.programs.set(programs)
        count_managers = max(options["min_case_managers"], 1, total // options["per_case_manager"])
        existing = staff_model.objects.filter(username__startswith="synthetic-cm-").count()
        staff_model.objects.bulk_create(
            [
                staff_model(
                    username=f"synthetic-cm-{index:05d}",
                    first_name="Synthetic",
                    last_name=f"Manager {index}",
                    organisation=organisation,
                    role=Role.CASE_MANAGER,
                    password="!",  # unusable: nobody signs in as these
                )
                for index in range(existing, count_managers)
            ]
        )
        managers = list(staff_model.objects.filter(username__startswith="synthetic-cm-").only("pk"))
        staff = staff_add(organisation=organisation, programs=programs, clients=total, bench=bench)
        rules = {}
        for program in programs:
            found = note_rules(program.pk)
            rules[program.pk] = NoteRules(
                fmt=note_format(found.note_format),
                late_after_days=found.late_after_days,
                cosign=found.supervisor_cosign,
            )
        catalogue = _catalogue()
        now = timezone.now()
        year = timezone.localdate().year
        trail = AuditTrail(organisation.pk, now, staff.usernames)
        made = 0
        referable: list[Referred] = []
        in_care: list[InCare] = []
        while made < total:
            size = min(BATCH, total - made)
            with transaction.atomic():
                Organisation.objects.select_for_update().get(pk=organisation.pk)
                organisation.refresh_from_db()
                tables = Tables(now)
                start = organisation.last_case_sequence
                already_bench = Client.objects.filter(primary_case_manager=bench).count()
                clients = []
                for offset in range(size):
                    sequence = start + offset + 1
                    program = programs[sequence % len(programs)]
                    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
                    give_bench = already_bench + offset < options["caseload"]
                    client = Client(
                        organisation=organisation,
                        program=program,
                        case_number=f"SY-{year}-{sequence:06d}",
                        legal_first_name=first,
                        legal_last_name=last,
                        date_of_birth=(now - timedelta(days=rng.randint(7000, 23000))).date(),
                        phone=f"555{rng.randint(1000000, 9999999)}",
                        referral_source=rng.choice(list(ReferralSource)),
                        primary_substances=[rng.choice(["alcohol", "opioids", "stimulants"])],
                        case_management_model=program.default_model,
                        stage=rng.choice(stages.ORDER),
                        primary_case_manager=bench if give_bench else rng.choice(managers),
                        registered_by=bench,
                        # Before the first of their records (SPAN_DAYS before they were last
                        # seen, which is at most 60 days ago).
                        registered_at=now - timedelta(days=rng.randint(SPAN_DAYS + 61, 400)),
                    )
                    # Another manager shares some cases; a peer or sober coach works with some.
                    if case_rng.random() < SECONDARY_SHARE and len(managers) > 1:
                        secondary = case_rng.choice(managers)
                        while secondary.pk == client.primary_case_manager_id:
                            secondary = case_rng.choice(managers)
                        client.secondary_case_manager = secondary
                    if case_rng.random() < COACHED_SHARE:
                        client.coach_id = case_rng.choice(staff.coaches)
                    tables.clients.add_object(client)
                    clients.append(client)
                tables.clients.flush()
                referable.extend(
                    Referred(c.pk, c.primary_case_manager_id, c.registered_at)
                    for c in clients
                    if c.stage in PLANNED | {"planning"} and c.primary_case_manager_id
                )
                in_care.extend(
                    InCare(c.pk, c.primary_case_manager_id, c.registered_at, c.program_id, c.stage)
                    for c in clients
                    if c.stage != "engagement" and c.primary_case_manager_id
                )
                Organisation.objects.filter(pk=organisation.pk).update(
                    last_case_sequence=start + size
                )
                high_risk = set()
                for client in clients:
                    registered_at = client.registered_at
                    tables.tell(
                        client.pk, TimelineKind.REGISTERED, registered_at, "Registered", bench.pk
                    )
                    if rng.random() < 0.1:
                        kind = rng.choice(list(FlagKind))
                        raised_at = registered_at + timedelta(days=rng.randint(1, 30))
                        tables.flags.add(
                            client_id=client.pk,
                            kind=kind,
                            raised_by_id=bench.pk,
                            raised_at=raised_at,
                        )
                        tables.tell(
                            client.pk,
                            TimelineKind.FLAG,
                            raised_at,
                            f"Flag raised: {FLAG_LABELS[kind]}",
                            bench.pk,
                        )
                        if kind == FlagKind.HIGH_RISK:
                            high_risk.add(client.pk)
                collaterals = Collateral.objects.bulk_create(
                    [
                        Collateral(
                            client=c,
                            name=f"{rng.choice(FIRST_NAMES)} {c.legal_last_name}",
                            relationship="family",
                            phone="5550100100",
                        )
                        for c in clients
                        if rng.random() < 0.3
                    ]
                )
                self._plans(rng, case_rng, [c for c in clients if c.stage in PLANNED], now)
                people: dict[int, list[tuple[int, str]]] = {}
                for collateral in collaterals:
                    people.setdefault(collateral.client_id, []).append(
                        (collateral.pk, collateral.name)
                    )
                trail.begin()
                casework = Casework(
                    rng=case_rng, now=now, tell=tables.tell, staff=staff, audit=trail
                )
                records = Records(rng, now, tables, rules, catalogue, high_risk, casework)
                for client in clients:
                    case = CaseClient(
                        pk=client.pk,
                        program_id=client.program_id,
                        stage=client.stage,
                        registered_at=client.registered_at,
                        name=client.legal_name,
                        primary=client.primary_case_manager_id or bench.pk,
                        secondary=client.secondary_case_manager_id,
                        coach=client.coach_id,
                        substance=(client.primary_substances or ["alcohol"])[0],
                        collaterals=people.get(client.pk, []),
                    )
                    records.add(client, mix, case)
                    casework.add(case)
                    if len(tables.timeline.rows) > BATCH * 20 or len(trail.events) > BATCH * 10:
                        tables.flush()  # hold a few hundred thousand rows at most
                        casework.flush()
                tables.finish()
                casework.flush()
                trail.finish()
                sequences_reset([*casework.models(), AuditEvent])
            made += size
            self.stdout.write(f"  {made:>8,} / {total:,} clients", ending="\r")
            self.stdout.flush()
        self.stdout.write("")
        with transaction.atomic():
            directory = directory_generate(
                organisation=organisation,
                count=max(0, options["directory_services"]),
                rng=rng,
                now=now,
            )
            referred = referrals_generate(clients=referable, services=directory, rng=rng, now=now)
            stays = care_generate(clients=in_care, rng=rng, now=now)
            in_court = court_generate(
                organisation=organisation,
                program=programs[0],
                clients=in_care,
                rng=random.Random(f"{options['seed']}/court"),
                now=now,
                judge_id=bench.pk,
            )
            interventions = family_generate(
                organisation=organisation,
                program=programs[0],
                clients=in_care,
                rng=random.Random(f"{options['seed']}/family"),
                now=now,
                lead_id=bench.pk,
                team_ids=[m.pk for m in managers[:5]],
            )
            coached = coaching_generate(
                organisation=organisation, programs=programs, rng=rng, now=now
            )
            capital_generate(clients=in_care, rng=rng, now=now, by_id=bench.pk)
            family_contacts_generate(
                client_ids=[c.pk for c in in_care], rng=rng, now=now, by_id=bench.pk
            )
        self.stdout.write(
            f"  {len(directory):,} directory services, {referred:,} referrals, {stays:,} stays,"
            f" {in_court:,} in the drug court, {interventions:,} intervention plans,"
            f" {coached:,} coaching agreements"
        )
        _contact_times_from_notes(Client.objects.filter(organisation=organisation))
        with transaction.atomic():
            teams_join(organisation)
            rota = rota_generate(
                organisation=organisation, programs=programs, trail=trail, rng=rng, now=now
            )
        self.stdout.write(f"  {trail.written:,} audit events, {rota:,} on-call shifts")
        # Bulk loads leave the planner without statistics, and the updates above leave a dead
        # row for each client, until autovacuum gets to them; a database in service has had
        # both, so measure with them. (VACUUM is refused inside a transaction: a test's.)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql" and not connection.in_atomic_block:
                cursor.execute("VACUUM ANALYZE")
            else:
                cursor.execute("ANALYZE")
        self.stdout.write(
            self.style.SUCCESS(
                f"Added {total:,} synthetic clients to {ORGANISATION}; sign in as {BENCH_USER}."
            )
        )

    def _plans(
        self, rng: random.Random, case_rng: random.Random, clients: list[Client], now: Any
    ) -> None:
        """A plan in effect with one need, goal, action and open task per planned client."""
        plans = CarePlan.objects.bulk_create(
            [
                CarePlan(
                    client=c,
                    sequence=1,
                    status=PlanStatus.ACTIVE,
                    activated_at=now - timedelta(days=rng.randint(1, 150)),
                    created_by_id=c.primary_case_manager_id,
                )
                for c in clients
                if c.primary_case_manager_id is not None
            ]
        )
        problems = Problem.objects.bulk_create(
            [
                Problem(plan=p, need_domain="housing", statement="Housing: needs support.")
                for p in plans
            ]
        )
        goals = Goal.objects.bulk_create(
            [
                Goal(
                    plan_id=problem.plan_id,
                    problem=problem,
                    own_words="I want a place of my own",
                    measurable="A signed lease",
                    target_date=(now + timedelta(days=90)).date(),
                )
                for problem in problems
            ]
        )
        owners = {p.pk: p.created_by_id for p in plans}
        interventions = Intervention.objects.bulk_create(
            [
                Intervention(
                    plan_id=goal.plan_id,
                    goal=goal,
                    action="Go through housing listings together",
                    responsible="case_manager",
                    owner_id=owners[goal.plan_id],
                    frequency="weekly",
                )
                for goal in goals
            ]
        )
        client_of = {p.pk: p.client_id for p in plans}
        PlanTask.objects.bulk_create(
            [
                PlanTask(
                    client_id=client_of[i.plan_id],
                    intervention=i,
                    owner_id=i.owner_id,
                    title=i.action,
                    due_on=(now + timedelta(days=rng.randint(-10, 14))).date(),
                )
                for i in interventions
                if i.owner_id is not None
            ]
        )
        Objective.objects.bulk_create(
            [
                Objective(
                    plan_id=goal.plan_id,
                    goal=goal,
                    text="Apply to three recovery residences",
                    target_date=(now + timedelta(days=30)).date(),
                )
                for goal in goals
            ]
        )
        # Signed by the client and the case manager the day it took effect (the second
        # signature puts a plan in effect); plans in effect for more than a quarter were
        # reviewed, kept as they are, with a rating of the goal. Written as Tables: the times
        # are the ones they happened at, not the time of writing.
        signatures = Table(PlanSignature, now)
        reviews = Table(PlanReview, now)
        ratings = Table(GoalProgress, now)
        goal_of = {goal.plan_id: goal.pk for goal in goals}
        for plan in plans:
            if plan.activated_at is None:
                continue
            for role in ("client", "case_manager"):
                signatures.add(
                    plan_id=plan.pk,
                    role=role,
                    method="on_screen" if role == "client" else "signed_in",
                    name="The client" if role == "client" else "Case manager",
                    recorded_by_id=plan.created_by_id,
                    signed_at=plan.activated_at,
                )
            if now - plan.activated_at > timedelta(days=95):
                review = reviews.add(
                    plan_id=plan.pk,
                    reason="scheduled",
                    summary="Working through the housing list; two applications in.",
                    outcome="continue",
                    reviewed_by_id=plan.created_by_id,
                    reviewed_at=plan.activated_at + timedelta(days=case_rng.randint(85, 95)),
                )
                ratings.add(
                    review_id=review,
                    goal_id=goal_of[plan.pk],
                    rating=case_rng.choice(
                        ["not_started", "progressing", "progressing", "achieved"]
                    ),
                )
        for table in (signatures, reviews, ratings):
            table.flush()
        sequences_reset([PlanSignature, PlanReview, GoalProgress])


class Records:
    """The records of clients, made client by client (see the module's docstring)."""

    def __init__(
        self,
        rng: random.Random,
        now: datetime,
        tables: Tables,
        rules: dict[int, NoteRules],
        catalogue: Catalogue,
        high_risk: set[int],
        casework: Casework,
    ) -> None:
        self.rng = rng
        self.now = now
        # The zone looked up once: timezone.localdate() looks it up on each call.
        self.zone = timezone.get_current_timezone()
        self.today = now.astimezone(self.zone).date()
        self.tables = tables
        self.rules = rules
        self.catalogue = catalogue
        self.high_risk = high_risk  # clients with the relapse-risk flag up from the start
        # The rest of the case, which hears of what needs an alert and what is audited.
        self.casework = casework
        self.audit = casework.audit
        self.case: CaseClient | None = None

    def add(self, client: Client, mix: dict[str, int], case: CaseClient) -> None:
        self.case = case
        writer = client.primary_case_manager_id
        if writer is None:
            return  # every generated client has one; a record always names who made it
        rng = self.rng
        # Most clients were seen this week; some have gone quiet (overdue on the caseload).
        low, high = rng.choices(((0, 6), (7, 30), (31, 60)), (80, 15, 5))[0]
        quiet = rng.randint(low, high)
        substance = (client.primary_substances or ["alcohol"])[0]
        prescribed = self._medication(client, writer, substance)
        meetings = self._meetings(client.pk, writer, substance, quiet, mix["meetings"])
        self._notes(client, writer, quiet, mix["notes"])
        self._check_ins(client.pk, writer, quiet, mix["check_ins"], meetings)
        self._appointments(client.pk, writer, quiet, mix["appointments"])
        self._screens(client.pk, writer, substance, prescribed, quiet, mix["screens"])

    def _past(self, quiet: int) -> datetime:
        """A moment within the client's records: between `quiet` and SPAN_DAYS more days ago."""
        days = self.rng.randint(quiet, quiet + SPAN_DAYS)
        return self.now - timedelta(days=days, hours=self.rng.randint(1, 10))

    def _notes(self, client: Client, writer: int, quiet: int, count: int) -> None:
        """The newest when the client was last seen; one client in fifty has not signed it yet,
        and in a program where a supervisor co-signs, the last three days' wait for one."""
        rng, rules = self.rng, self.rules[client.program_id]
        sections = {section.key: "Synthetic note." for section in rules.fmt.sections}
        moments = sorted((self._past(quiet) for _ in range(count - 1)), reverse=True)
        if count:
            moments.insert(0, self.now - timedelta(days=quiet, hours=rng.randint(1, 10)))
        draft = rng.random() < 0.02
        for index, contact_at in enumerate(moments):
            contact_type = rng.choice(CONTACTS)
            duration = 5 if contact_type == ContactType.ATTEMPTED else rng.choice((20, 30, 45, 60))
            late = rng.random() < 0.05
            signed = contact_at + timedelta(days=rng.randint(4, 7) if late else 0, hours=2)
            signed_at: datetime | None = min(self.now, signed)
            contact_day = contact_at.astimezone(self.zone).date()
            days_after = (signed.astimezone(self.zone).date() - contact_day).days
            late_entry = days_after > rules.late_after_days
            if index == 0 and draft:
                status, signed_at, late_entry = NoteStatus.DRAFT, None, False
            elif rules.cosign and self.now - signed < timedelta(days=3):
                status = NoteStatus.AWAITING_COSIGN  # the supervisor has not got to it yet
            else:
                status = NoteStatus.SIGNED
            note = self.tables.notes.add(
                client_id=client.pk,
                contact_at=contact_at,
                contact_type=contact_type,
                duration_minutes=duration,
                note_format=rules.fmt.code,
                sections=sections,
                status=status,
                written_by_id=writer,
                created_at=contact_at + timedelta(minutes=duration),
                updated_at=signed_at or contact_at + timedelta(minutes=duration),
                signed_at=signed_at,
                late_entry=late_entry,
            )
            written_at = contact_at + timedelta(minutes=duration)
            if signed_at is not None and self.casework.rng.random() < 0.01:
                # Something remembered after signing goes in an addendum, never an edit.
                self.tables.addenda.add(
                    note_id=note,
                    text="The client also mentioned a court date next month.",
                    written_by_id=writer,
                    written_at=min(self.now, signed_at + timedelta(days=3)),
                )
            self.audit.add(written_at, writer, AuditAction.CREATE, client.pk, "contact_note", note)
            if signed_at is not None:
                self.tables.tell(
                    client.pk,
                    MonitoringKind.CONTACT,
                    signed_at,
                    f"{CONTACT_LABELS[contact_type]} on {_house_date(contact_day)}, "
                    f"{duration} minutes" + (" (late entry)" if late_entry else ""),
                    writer,
                )

    def _check_ins(
        self, client_id: int, writer: int, quiet: int, count: int, meetings: list[date]
    ) -> None:
        """Weekly, the newest when the client was last seen; mood and craving drift."""
        rng = self.rng
        mood, craving = rng.randint(2, 6), rng.randint(3, 8)
        previous: date | None = None
        for week in reversed(range(count)):
            checked_in_at = self.now - timedelta(days=quiet + 7 * week, hours=rng.randint(1, 10))
            day = checked_in_at.astimezone(self.zone).date()
            used = rng.random() < 0.08
            went = sum(1 for m in meetings if (previous is None or m > previous) and m <= day)
            previous = day
            check_in = self.tables.check_ins.add(
                client_id=client_id,
                checked_in_at=checked_in_at,
                mood=mood,
                craving=craving,
                used_since_last=used,
                use_detail="Synthetic" if used else "",
                meetings_since_last=min(went, 99),
                sleep=rng.choice(SLEEP),
                recorded_by_id=writer,
                recorded_at=checked_in_at,
            )
            self.tables.tell(
                client_id,
                MonitoringKind.CHECK_IN,
                checked_in_at,
                f"Check-in: mood {mood} of 10, craving {craving} of 10"
                + (", use reported" if used else ""),
                writer,
            )
            if used and self.case is not None:
                self.casework.reported_use(self.case, check_in, checked_in_at)
            mood = max(0, min(10, mood + rng.randint(-1, 2)))
            craving = max(0, min(10, craving + rng.randint(-2, 1)))

    def _appointments(self, client_id: int, writer: int, quiet: int, count: int) -> None:
        """A weekly obligation for a third of them, one-off appointments for the rest; a fifth
        of them ahead (scheduled), the others attended, missed (followed up after a week) or
        cancelled. One a day at most, so none overlaps another."""
        rng = self.rng
        ahead = round(count * 0.2)
        days: list[tuple[date, str, int | None]] = []  # (day, kind, its weekly series)
        weekly = count // 3
        if weekly >= 2:
            weeks_ahead = max(1, round(weekly * 0.2))
            first = self.today + timedelta(days=rng.randint(1, 7) - 7 * (weekly - weeks_ahead))
            kind: str = rng.choice(SERIES_KINDS)
            series = self._series(client_id, writer, Recurrence.WEEKLY, first, weekly)
            days += [(first + timedelta(weeks=week), kind, series) for week in range(weekly)]
            ahead -= weeks_ahead
        taken = {day for day, _, _ in days}
        free = [self.today + timedelta(days=n) for n in range(1, AHEAD_DAYS + 1)]
        free = [day for day in free if day not in taken]
        future = rng.sample(free, k=min(len(free), max(0, ahead)))
        free = [self.today - timedelta(days=n) for n in range(max(1, quiet), quiet + SPAN_DAYS)]
        free = [day for day in free if day not in taken]
        past = rng.sample(free, k=min(len(free), max(0, count - len(days) - len(future))))
        for day in future + past:
            days.append((day, rng.choices(SINGLE_KINDS, SINGLE_WEIGHTS)[0], None))
        for day, kind, weekly_series in days:
            starts_at = _at(day, rng.choice((9, 10, 11, 13, 14, 15)), self.zone)
            series = weekly_series or self._series(client_id, writer, Recurrence.NONE, day, 1)
            self._appointment(client_id, writer, kind, starts_at, series)

    def _series(self, client_id: int, writer: int, recurrence: str, first: date, count: int) -> int:
        return self.tables.series.add(
            client_id=client_id,
            recurrence=recurrence,
            made_until=first + timedelta(weeks=count - 1),
            created_by_id=writer,
            created_at=min(self.now, _at(first - timedelta(days=14), 9, self.zone)),
        )

    def _appointment(
        self, client_id: int, writer: int, kind: str, starts_at: datetime, series: int
    ) -> None:
        rng = self.rng
        ends_at = starts_at + timedelta(minutes=LONG_KINDS.get(kind, 60))
        place, provider = PLACES[kind]
        row: dict[str, Any] = {
            "client_id": client_id,
            "series_id": series,
            "kind": kind,
            "starts_at": starts_at,
            "ends_at": ends_at,
            "place": place,
            "provider": provider,
            "transport_arranged": kind == AppointmentKind.COURT and rng.random() < 0.5,
            "created_by_id": writer,
            "created_at": min(self.now, starts_at - timedelta(days=14)),
        }
        if starts_at > self.now:
            self.tables.appointments.add(**row)
            return
        status = rng.choices(
            (AppointmentStatus.ATTENDED, AppointmentStatus.MISSED, AppointmentStatus.CANCELLED),
            (80, 12, 8),
        )[0]
        row |= {"status": status, "status_changed_by_id": writer, "version": 2}
        if status == AppointmentStatus.CANCELLED:
            row["status_changed_at"] = starts_at - timedelta(days=rng.randint(1, 5))
            row["status_note"] = "The client asked to move it."
            self.tables.appointments.add(**row)
            return
        row["status_changed_at"] = changed_at = min(self.now, ends_at + timedelta(hours=1))
        # Missed a week ago or more: the case manager has followed it up since.
        followed_up_at = starts_at + timedelta(days=rng.randint(1, 6))
        follows_up = status == AppointmentStatus.MISSED and followed_up_at < self.now
        if follows_up:
            row |= {
                "followed_up_by_id": writer,
                "followed_up_at": followed_up_at,
                "follow_up_note": "Called the client; the next one is on the calendar.",
                "version": 3,
            }
        appointment = self.tables.appointments.add(**row)
        if status != AppointmentStatus.MISSED:
            return
        if self.case is not None:
            self.casework.missed_appointment(
                self.case,
                appointment,
                KIND_LABELS[kind].lower(),
                kind == AppointmentKind.COURT,
                starts_at.astimezone(self.zone).date(),
                changed_at,
                followed_up_at if follows_up else None,
                kind in CLINICAL_KINDS,
            )
        # As monitoring's appointments service tells it: a health appointment only to those
        # who read clinical content.
        label = KIND_LABELS[kind].lower()
        needs = Action.READ_CLINICAL if kind in CLINICAL_KINDS else None
        self.tables.tell(
            client_id,
            TIMELINE_KIND,
            changed_at,
            f"Missed {label}: {_house_date(starts_at.date())}, {_clock(starts_at)} to {_clock(ends_at)}",
            writer,
            detail=f"With {provider}." if provider else "",
            needs_action=needs,
        )
        if follows_up:
            self.tables.tell(
                client_id,
                TIMELINE_KIND,
                followed_up_at,
                f"Followed up the missed {label} of {_house_date(starts_at.date())}",
                writer,
                detail=row["follow_up_note"],
                needs_action=needs,
            )

    def _medication(self, client: Client, writer: int, substance: str) -> frozenset[str]:
        """Half the clients on opioids take buprenorphine or methadone (MOUD), from before they
        came; some prescriptions run out within two weeks, so a MOUD gap is due. Returns what
        it shows as on a screen."""
        rng = self.rng
        if substance != "opioids" or rng.random() < 0.5:
            return frozenset()
        use_disorder = rng.choices(
            (UseDisorderMedication.BUPRENORPHINE, UseDisorderMedication.METHADONE), (70, 30)
        )[0]
        drug, dose, screens_as = MOUD_PRESCRIPTIONS[use_disorder]
        started_on = self.today - timedelta(days=SPAN_DAYS + 60 + rng.randint(0, 60))
        ends_on = self.today + timedelta(days=rng.randint(5, 120))
        recorded_at = client.registered_at + timedelta(days=1)
        self.tables.medications.add(
            client_id=client.pk,
            drug=drug,
            use_disorder=use_disorder,
            dose=dose,
            prescriber="Dr. Okafor",
            pharmacy="Opioid Treatment Program",
            started_on=started_on,
            ends_on=ends_on,
            screens_as=[screens_as],
            recorded_by_id=writer,
            recorded_at=recorded_at,
            updated_at=recorded_at,
        )
        self.tables.tell(
            client.pk,
            RecoveryTimelineKind.MEDICATION,
            recorded_at,
            f"Medication recorded: {drug} (MOUD), {dose}, from {_house_date(started_on)} to "
            f"{_house_date(ends_on)}",
            writer,
        )
        return frozenset({screens_as})

    def _meetings(
        self, client_id: int, writer: int, substance: str, quiet: int, count: int
    ) -> list[date]:
        rng = self.rng
        days = sorted(self._past(quiet).astimezone(self.zone).date() for _ in range(count))
        for day in days:
            fellowship = rng.choice(FELLOWSHIPS.get(substance, FELLOWSHIPS["alcohol"]))
            verification = rng.choice(VERIFICATIONS)
            recorded_at = min(self.now, _at(day + timedelta(days=1), 10, self.zone))
            self.tables.meetings.add(
                client_id=client_id,
                attended_on=day,
                fellowship=fellowship,
                meeting_name=rng.choice(MEETING_NAMES),
                verification=verification,
                recorded_by_id=writer,
                recorded_at=recorded_at,
            )
            self.tables.tell(
                client_id,
                RecoveryTimelineKind.MEETING,
                recorded_at,
                f"Meeting on {_house_date(day)}: {FELLOWSHIP_LABELS[fellowship]} "
                f"({VERIFICATION_LABELS[verification].lower()})",
                writer,
            )
        return days

    def _screens(
        self,
        client_id: int,
        writer: int,
        substance: str,
        prescribed: frozenset[str],
        quiet: int,
        count: int,
    ) -> None:
        """Mostly negative; a positive for a prescribed medication as expected; a few
        unexpected positives (for what the client uses), refusals and missed screens, each of
        which raises the relapse-risk flag unless it is up already."""
        rng = self.rng
        days = sorted(self._past(quiet).astimezone(self.zone).date() for _ in range(count))
        flag_up_until: datetime | None = None  # the relapse-risk flag a screen raised
        for day in days:
            status = rng.choices(
                (ScreenStatus.TESTED, ScreenStatus.REFUSED, ScreenStatus.MISSED), (92, 3, 5)
            )[0]
            recorded_at = min(self.now, _at(day, 16, self.zone))
            row: dict[str, Any] = {
                "client_id": client_id,
                "collected_on": day,
                "status": status,
                "expected": sorted(prescribed),
                "recorded_by_id": writer,
                "recorded_at": recorded_at,
                "updated_at": recorded_at,
            }
            results: list[tuple[str, str, str, bool]] = []
            how = ""
            if status == ScreenStatus.TESTED:
                panel = rng.choices(PANEL_CODES, PANEL_WEIGHTS)[0]
                specimen, method = TAKEN_AS[panel]
                observed = rng.random() < 0.5
                row |= {
                    "panel": panel,
                    "specimen": specimen,
                    "method": method,
                    "observed": observed,
                    "problems": [SpecimenProblem.DILUTE] if rng.random() < 0.02 else [],
                }
                if method == ScreenMethod.LAB:
                    row["custody_id"] = f"CC{rng.randint(10**7, 10**8 - 1)}"
                results = self._results(panel, substance, prescribed, method)
                how = (
                    f" ({SPECIMEN_LABELS[specimen].lower()}, "
                    f"{'observed' if observed else 'not observed'}, "
                    f"{'lab' if method == ScreenMethod.LAB else 'point of care'})"
                )
            row["outcome"] = outcome = _outcome(status, results)
            screen = self.tables.screens.add(**row)
            if outcome in RAISES_FLAG and self.case is not None:
                self.casework.screen_found(self.case, screen, day, outcome, recorded_at)
            for code, result, confirmation, expected in results:
                self.tables.results.add(
                    screen_id=screen,
                    substance=code,
                    result=result,
                    confirmation=confirmation,
                    expected=expected,
                )
            found = self._found(status, outcome, results, bool(row.get("problems")))
            self.tables.tell(
                client_id,
                RecoveryTimelineKind.SCREEN,
                recorded_at,
                f"Drug screen on {_house_date(day)}{how}: {found}",
                writer,
            )
            up = client_id in self.high_risk or (
                flag_up_until is not None and recorded_at <= flag_up_until
            )
            if outcome in RAISES_FLAG and not up:
                flag_up_until = self._raise_flag(client_id, writer, day, recorded_at, found)

    def _raise_flag(
        self, client_id: int, writer: int, day: date, raised_at: datetime, found: str
    ) -> datetime:
        """The relapse-risk flag, as the screens service raises it; staff clear it (with a note,
        as clients.services.flag_clear does) one to three weeks later, unless that is still to
        come. Returns until when it is up."""
        note = f"Drug screen of {_house_date(day)}: {found}"[:300]
        cleared_at = raised_at + timedelta(days=self.rng.randint(7, 21))
        cleared = cleared_at < self.now
        clear_note = "Talked it through with the client; the plan has a relapse prevention step."
        self.tables.flags.add(
            client_id=client_id,
            kind=FlagKind.HIGH_RISK,
            note=note,
            raised_by_id=writer,
            raised_at=raised_at,
            cleared_at=cleared_at if cleared else None,
            cleared_by_id=writer if cleared else None,
            clear_note=clear_note if cleared else "",
        )
        label = FLAG_LABELS[FlagKind.HIGH_RISK]
        self.tables.tell(
            client_id, TimelineKind.FLAG, raised_at, f"Flag raised: {label}", writer, detail=note
        )
        if not cleared:
            return self.now
        self.tables.tell(
            client_id,
            TimelineKind.FLAG,
            cleared_at,
            f"Flag cleared: {label}",
            writer,
            detail=clear_note,
        )
        return cleared_at

    def _results(
        self, panel: str, substance: str, prescribed: frozenset[str], method: str
    ) -> list[tuple[str, str, str, bool]]:
        """(substance, result, lab confirmation, expected) for each substance of the panel."""
        rng = self.rng
        on_panel = self.catalogue.panels[panel]
        used: str | None = None
        if rng.random() < UNEXPECTED_POSITIVE:
            likely = [code for code in SHOWS_AS.get(substance, ()) if code in on_panel]
            others = [code for code in on_panel if code not in prescribed]
            if likely or others:
                used = rng.choice(likely or others)
        unread = rng.choice(on_panel) if rng.random() < 0.01 else None
        results: list[tuple[str, str, str, bool]] = []
        for code in on_panel:
            confirmation = ""
            if code == used:
                result = SubstanceResult.POSITIVE
                if method == ScreenMethod.LAB:
                    confirmation = rng.choices(
                        ("", Confirmation.POSITIVE, Confirmation.NEGATIVE), (20, 70, 10)
                    )[0]
            elif code in prescribed:
                # Taken as prescribed, mostly: a negative here is a missed dose.
                missed_dose = rng.random() < 0.05
                result = SubstanceResult.NEGATIVE if missed_dose else SubstanceResult.POSITIVE
            elif code == unread:
                result = SubstanceResult.NOT_TESTED
            else:
                result = SubstanceResult.NEGATIVE
            results.append((code, result, confirmation, code in prescribed))
        return results

    def _found(
        self, status: str, outcome: str, results: list[tuple[str, str, str, bool]], dilute: bool
    ) -> str:
        """What a screen found, in a sentence (clinical: the timeline entry asks for it)."""
        if status != ScreenStatus.TESTED:
            return str(status)
        labels = self.catalogue.labels
        positive = [
            (code, expected)
            for code, result, confirmation, expected in results
            if (confirmation or result) == SubstanceResult.POSITIVE
        ]
        unexpected = [labels[code] for code, expected in positive if not expected]
        as_prescribed = [labels[code] for code, expected in positive if expected]
        parts = []
        if unexpected:
            parts.append("unexpected positive for " + _joined(unexpected))
        if as_prescribed:
            parts.append("positive for " + _joined(as_prescribed) + " as prescribed")
        if not parts:
            parts.append(str(OUTCOME_LABELS[outcome]).lower())
        if dilute:
            parts.append("specimen dilute")
        return "; ".join(parts)


def _outcome(status: str, results: list[tuple[str, str, str, bool]]) -> str:
    """What the screen amounts to, as monitoring's screens service works it out: the lab's
    confirmation counts over the screen's result (no specimen generated here is invalid)."""
    if status != ScreenStatus.TESTED:
        return status
    finals = [(confirmation or result, expected) for _, result, confirmation, expected in results]
    if any(final == SubstanceResult.POSITIVE and not expected for final, expected in finals):
        return ScreenOutcome.POSITIVE
    if any(final == SubstanceResult.POSITIVE for final, _ in finals):
        return ScreenOutcome.EXPECTED
    if all(final == SubstanceResult.NOT_TESTED for final, _ in finals):
        return ScreenOutcome.NO_RESULT
    return ScreenOutcome.NEGATIVE


def _contact_times_from_notes(clients: ClientQuerySet) -> int:
    """Each client's last contact (the newest signed note of a type that counts for their
    program and model) and last attempt, in one UPDATE with a subquery, as signing a note works
    them out one client at a time (monitoring.services.contact_times_refresh)."""
    # Clients grouped by which contact types count for them: one branch per group.
    groups: dict[frozenset[str], Q] = {}
    pairs = clients.order_by().values_list("program_id", "case_management_model").distinct()
    for program_id, model in pairs:
        types = counting_types(program_id, model)
        groups[types] = groups.get(types, Q(pk__in=[])) | Q(
            program_id=program_id, case_management_model=model
        )
    recorded = ContactNote.objects.filter(client=OuterRef("pk"), status__in=RECORDED).order_by()

    def latest(of: Q) -> Subquery:
        return Subquery(
            recorded.filter(of).values("client").annotate(latest=Max("contact_at")).values("latest")
        )

    last_contact = Case(
        *(
            When(match, then=latest(Q(contact_type__in=sorted(types))))
            for types, match in groups.items()
        ),
        default=None,
        output_field=DateTimeField(),
    )
    # The update works out the next contact due (and the open safety concern) of these clients
    # again as well (ClientQuerySet.update).
    return int(
        clients.update(
            last_contact_at=last_contact,
            last_attempt_at=latest(Q(contact_type=ContactType.ATTEMPTED)),
        )
    )


# The directory and referrals

# The kinds of service a generated directory holds: (category code, what it is called, what it
# does, the need a referral to it serves).
DIRECTORY_KINDS: tuple[tuple[str, str, str, str], ...] = (
    ("recovery-housing", "Recovery residence", "Sober living with a house manager.", "housing"),
    ("methadone", "Opioid treatment program", "Methadone dosing and counselling.", "substance_use"),
    (
        "buprenorphine",
        "Buprenorphine clinic",
        "Buprenorphine started the same day.",
        "substance_use",
    ),
    (
        "intensive-outpatient",
        "Intensive outpatient",
        "Groups three evenings a week.",
        "substance_use",
    ),
    ("outpatient", "Outpatient counselling", "Individual and group counselling.", "substance_use"),
    (
        "withdrawal-management",
        "Withdrawal centre",
        "Medically monitored withdrawal.",
        "substance_use",
    ),
    ("employment", "Job centre", "Job search help and second-chance employers.", "employment"),
    ("legal-aid", "Legal clinic", "Record sealing and licence reinstatement.", "legal"),
    ("benefits-snap", "Benefits office", "SNAP, TANF and Medicaid applications.", "finances"),
    (
        "mutual-help",
        "Mutual-help meetings",
        "Open AA, NA and SMART Recovery meetings.",
        "recovery_support",
    ),
    (
        "peer-support",
        "Peer recovery centre",
        "Peer recovery coaches and meetings.",
        "recovery_support",
    ),
    ("shelter", "Emergency shelter", "Beds every night for adults.", "housing"),
    ("mental-health", "Mental health clinic", "Psychiatry and therapy.", "mental_health"),
    ("primary-care", "Community health centre", "Primary care on a sliding scale.", "medical"),
    ("transportation", "Ride program", "Rides to treatment and appointments.", "transportation"),
)
PAYMENTS = ("medicaid", "medicare", "private-insurance", "sliding-scale", "free")
PROVIDER_PLACES = (
    "Riverside",
    "Gem City",
    "Miami Valley",
    "Eastside",
    "Northside",
    "Five Rivers",
    "Oakwood",
    "Westwood",
    "Harbor",
    "Greene",
    "Clark County",
    "Montgomery",
)
PROVIDER_NOUNS = (
    "Health",
    "Recovery Center",
    "Community Services",
    "Counseling",
    "Outreach",
    "Family Services",
)
# (days, opens, closes, weight): weekdays, around the clock, evenings, two days a week.
HOURS = (
    ("MO,TU,WE,TH,FR", "08:00", "17:00", 60),
    ("MO,TU,WE,TH,FR,SA,SU", "00:00", "23:59", 15),
    ("MO,TU,WE,TH", "17:00", "21:00", 15),
    ("TU,TH", "10:00", "15:00", 10),
)
DIRECTORY_CENTRE = "45402"  # Dayton, Ohio: the services spread some 40 miles around it
DIRECTORY_SERVICES = 300  # generate's default
REFERRED = 0.3  # of the clients generated, the share with a referral
# How far referrals got, in a hundred: sent and unanswered, accepted, completed, declined.
REFERRAL_ENDS = (
    (ReferralStatus.REQUESTED, 30),
    (ReferralStatus.ACCEPTED, 30),
    (ReferralStatus.COMPLETED, 30),
    (ReferralStatus.REJECTED, 10),
)


def _hsds_id(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


@dataclass(frozen=True)
class DirectoryService:
    pk: int
    name: str
    provider: str
    need: str


def directory_generate(
    *, organisation: Organisation, count: int, rng: random.Random, now: datetime
) -> list[DirectoryService]:
    """`count` services of the agency's directory, written in bulk as the HSDS import would
    write them (the HSDS fields and the columns the search uses): a provider for every eight,
    a location each (one in twenty without map coordinates), hours, languages, phones, and the
    built-in categories and payment accepted."""
    load_builtin_taxonomy(Taxonomy, TaxonomyTerm)
    terms = {
        code: (pk, hsds_id)
        for code, pk, hsds_id in TaxonomyTerm.objects.filter(organisation=None).values_list(
            "code", "pk", "hsds_id"
        )
    }
    centre = point_of_zip(DIRECTORY_CENTRE)
    assert centre is not None
    tables = [
        Table(model, now)
        for model in (
            Provider,
            Service,
            Location,
            ServiceAtLocation,
            Address,
            Phone,
            Language,
            Schedule,
            Attribute,
        )
    ]
    providers, services, locations, at, addresses, phones, languages, schedules, attributes = tables
    made: list[DirectoryService] = []
    provider: tuple[int, str, str] | None = None
    org = organisation.pk
    # HSDS ids from their own sequence, which starts where the directory ends: running generate
    # again (same seed, other sizes) adds new records instead of repeating ids.
    ids = random.Random(f"{org}/{Service.objects.filter(organisation=organisation).count()}")

    def record(table: Table, hsds_id: str, fields: dict[str, Any], **columns: Any) -> int:
        return table.add(organisation_id=org, hsds_id=hsds_id, fields=fields, **columns)

    hour_rows, hour_weights = HOURS, [h[3] for h in HOURS]
    fields: dict[str, Any]
    for number in range(count):
        if number % 8 == 0:
            name = f"{rng.choice(PROVIDER_PLACES)} {rng.choice(PROVIDER_NOUNS)} {number // 8 + 1}"
            provider_id = _hsds_id(ids)
            fields = {"name": name, "description": f"{name}, a provider in the region."}
            provider = (record(providers, provider_id, fields, name=name), provider_id, name)
        assert provider is not None
        provider_pk, provider_id, provider_name = provider
        code, kind, description, need = DIRECTORY_KINDS[number % len(DIRECTORY_KINDS)]
        name = f"{provider_name}: {kind}"
        service_id = _hsds_id(ids)
        fields = {
            "name": name,
            "description": description,
            "status": "active",
            "organization_id": provider_id,
        }
        service_pk = record(
            services,
            service_id,
            fields,
            provider_id=provider_pk,
            name=name,
            description=description,
            status="active",
        )
        made.append(DirectoryService(service_pk, kind, provider_name, need))
        location_id = _hsds_id(ids)
        fields = {"name": name, "location_type": "physical", "organization_id": provider_id}
        latitude = longitude = None
        if rng.random() >= 0.05:
            latitude = round(centre.latitude + rng.uniform(-0.55, 0.55), 5)
            longitude = round(centre.longitude + rng.uniform(-0.7, 0.7), 5)
            fields.update(latitude=latitude, longitude=longitude)
        location_pk = record(
            locations,
            location_id,
            fields,
            provider_id=provider_pk,
            name=name,
            latitude=latitude,
            longitude=longitude,
        )
        at_id = _hsds_id(ids)
        record(
            at,
            at_id,
            {"service_id": service_id, "location_id": location_id},
            service_id=service_pk,
            location_id=location_pk,
        )
        record(
            addresses,
            _hsds_id(ids),
            {
                "location_id": location_id,
                "address_1": f"{rng.randint(10, 4999)} {rng.choice(['Main', 'Third', 'Salem', 'Wayne'])} St",
                "city": "Dayton",
                "state_province": "OH",
                "postal_code": DIRECTORY_CENTRE,
                "country": "US",
                "address_type": "physical",
            },
            location_id=location_pk,
        )
        phone = f"937-555-{rng.randint(0, 9999):04d}"
        record(
            phones,
            _hsds_id(ids),
            {"service_id": service_id, "number": phone},
            service_id=service_pk,
        )
        spoken = [("English", "en")]
        if rng.random() < 0.3:
            spoken.append(("Spanish", "es"))
        if rng.random() < 0.05:
            spoken.append(rng.choice([("Vietnamese", "vi"), ("Arabic", "ar"), ("Somali", "so")]))
        for language, iso in spoken:
            record(
                languages,
                _hsds_id(ids),
                {"service_id": service_id, "name": language, "code": iso},
                service_id=service_pk,
                name=language,
                code=iso,
            )
        byday, opens, closes, _ = rng.choices(hour_rows, hour_weights)[0]
        record(
            schedules,
            _hsds_id(ids),
            {
                "service_id": service_id,
                "freq": "WEEKLY",
                "byday": byday,
                "opens_at": opens,
                "closes_at": closes,
            },
            service_id=service_pk,
            freq="WEEKLY",
            byday=byday,
            opens_at=time.fromisoformat(opens),
            closes_at=time.fromisoformat(closes),
        )
        for term_code in [code, *rng.sample(PAYMENTS, k=rng.randint(1, 3))]:
            term_pk, term_id = terms[term_code]
            link_type = "category" if term_code == code else "payment_accepted"
            record(
                attributes,
                _hsds_id(ids),
                {
                    "link_id": service_id,
                    "link_entity": "service",
                    "link_type": link_type,
                    "taxonomy_term_id": term_id,
                },
                taxonomy_term_id=term_pk,
                link_entity="service",
                link_id=service_id,
            )
        if len(attributes.rows) > BATCH * 4:
            for table in tables:
                table.flush()
    for table in tables:
        table.flush()
    statements = connection.ops.sequence_reset_sql(no_style(), [t.model for t in tables])
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
    return made


@dataclass(frozen=True)
class Referred:
    """A generated client a referral can be made for."""

    pk: int
    case_manager: int
    registered_at: datetime


def referrals_generate(
    *,
    clients: list[Referred],
    services: list[DirectoryService],
    rng: random.Random,
    now: datetime,
) -> int:
    """A referral for about REFERRED of the clients, most to a directory service: sent some
    days ago, and accepted, completed or declined since (or still unanswered), each move with
    its event and the timeline entry the referral services write. Returns how many."""
    referrals = Table(Referral, now)
    events = Table(ReferralEvent, now)
    calls = Table(ReferralCommunication, now)
    links = Table(ReferralLink, now)
    talk = random.Random(f"referral-calls/{len(clients)}")  # not to move the referrals' draws
    timeline = Table(TimelineEntry, now)
    ends = [end for end, _ in REFERRAL_ENDS]
    weights = [weight for _, weight in REFERRAL_ENDS]
    made = 0
    for client in clients:
        if rng.random() >= REFERRED:
            continue
        if services and rng.random() < 0.85:
            chosen = rng.choice(services)
            service_id, provider, label, need = chosen.pk, chosen.provider, chosen.name, chosen.need
        else:
            service_id, provider, label, need = None, "County Housing Authority", "", "housing"
        end = rng.choices(ends, weights)[0]
        sent_at = max(client.registered_at, now - timedelta(days=rng.randint(2, 90)))
        answered_at = min(now, sent_at + timedelta(days=rng.randint(1, 7)))
        closed_at = min(now, answered_at + timedelta(days=rng.randint(7, 30)))
        final = end in {ReferralStatus.COMPLETED, ReferralStatus.REJECTED}
        sent_on = sent_at.date()
        referral_id = referrals.add(
            client_id=client.pk,
            service_id=service_id,
            provider_name=provider,
            service_name=label,
            need_domain=need,
            urgency=rng.choice(["routine", "routine", "soon", "urgent"]),
            reason=f"Needs {(label or 'housing').lower()} ({provider}).",
            information=[],
            status=end,
            status_reason="no-capacity" if end == ReferralStatus.REJECTED else "",
            sent_at=sent_at,
            answer_due_on=sent_on + timedelta(days=7),
            next_follow_up_on=None if final else sent_on + timedelta(days=rng.choice([3, 7, 14])),
            answered_at=None if end == ReferralStatus.REQUESTED else answered_at,
            connected_at=closed_at if end == ReferralStatus.COMPLETED else None,
            closed_at=closed_at if final else None,
            outcome="service-received" if end == ReferralStatus.COMPLETED else "",
            created_by_id=client.case_manager,
            created_at=sent_at - timedelta(hours=1),
        )
        to_whom = label or provider
        # Calls and emails with the provider while waiting for an answer; a link through which
        # a provider in the directory answers (revoked once the referral is closed).
        for _ in range(talk.choices((0, 1, 2), (50, 35, 15))[0]):
            calls.add(
                referral_id=referral_id,
                channel=talk.choice(["call", "call", "email", "fax"]),
                with_whom=f"Intake at {provider}"[:200],
                summary="Asked whether they had an opening; they will call back.",
                happened_at=min(now, sent_at + timedelta(days=talk.randint(1, 6))),
                by_id=client.case_manager,
            )
        if service_id is not None and talk.random() < 0.3:
            links.add(
                referral_id=referral_id,
                token_hash=hashlib.sha256(talk.randbytes(32)).hexdigest(),
                created_by_id=client.case_manager,
                created_at=sent_at,
                expires_at=sent_at + timedelta(days=30),
                revoked_at=closed_at if final else None,
                last_used_at=answered_at if end != ReferralStatus.REQUESTED else None,
            )
        moves = [(ReferralStatus.DRAFT, ReferralStatus.REQUESTED, sent_at, False, "")]
        if end != ReferralStatus.REQUESTED:
            answer = (
                ReferralStatus.REJECTED
                if end == ReferralStatus.REJECTED
                else ReferralStatus.ACCEPTED
            )
            reason = "no-capacity" if answer == ReferralStatus.REJECTED else ""
            moves.append((ReferralStatus.REQUESTED, answer, answered_at, True, reason))
        if end == ReferralStatus.COMPLETED:
            moves.append((ReferralStatus.ACCEPTED, ReferralStatus.COMPLETED, closed_at, False, ""))
        for was, became, at, for_provider, reason in moves:
            events.add(
                referral_id=referral_id,
                from_status=was,
                to_status=became,
                reason=reason,
                by_id=client.case_manager,
                for_provider=for_provider,
                at=at,
            )
            if became == ReferralStatus.REQUESTED:
                summary = f"Referral sent to {to_whom}"
            else:
                summary = f"Referral to {to_whom}: {ReferralStatus(became).label.lower()}"
                if became == ReferralStatus.COMPLETED:
                    summary += " (service received)"
            timeline.add(
                client_id=client.pk,
                at=at,
                kind=REFERRAL_TIMELINE_KIND,
                needs_action=timeline_kind(REFERRAL_TIMELINE_KIND).needs_action,
                summary=summary[:300],
                actor_id=client.case_manager,
            )
        made += 1
        if len(timeline.rows) > BATCH * 20:
            for table in (referrals, events, calls, links, timeline):
                table.flush()
    for table in (referrals, events, calls, links, timeline):
        table.flush()
    statements = connection.ops.sequence_reset_sql(
        no_style(), [Referral, ReferralEvent, ReferralCommunication, ReferralLink, TimelineEntry]
    )
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
    return made


@dataclass(frozen=True)
class InCare:
    """A generated client past engagement: they have stays at levels of care."""

    pk: int
    case_manager: int
    registered_at: datetime
    program_id: int
    stage: str


# (first level, then the level stepped down to), and where.
STEP_DOWNS = [("wm", "3.5"), ("3.5", "2.1"), ("3.7", "2.1"), ("2.1", "1"), ("3.5", "aftercare")]
CARE_PLACES = ["Hope House", "Bridge IOP", "Eastside Aftercare", "County Detox", "Oak Residence"]


def care_generate(*, clients: list[InCare], rng: random.Random, now: datetime) -> int:
    """Stays at levels of care for each client past engagement: a first stay from registration,
    a step down after one to four weeks (admitted the same day to a week later), and then one of:
    still there; moving on again (a transition still open, its hand-off partly done: some late
    enough to be a gap in care); or care ended, with follow-ups at 30, 90 and 180 days. Returns
    how many stays."""
    episodes = Table(Episode, now)
    transitions = Table(Transition, now)
    items = Table(HandoffItem, now)
    follow_ups = Table(FollowUp, now)
    attempts = Table(FollowUpAttempt, now)
    outcomes = Table(FollowUpOutcome, now)
    calling = random.Random(f"follow-up-calls/{len(clients)}")  # not to move the stays' draws
    today = timezone.localdate(now)
    made = 0
    for client in clients:
        first_level, next_level = rng.choice(STEP_DOWNS)
        admitted = timezone.localdate(client.registered_at)
        left = admitted + timedelta(days=rng.randint(7, 28))
        arrived = left + timedelta(days=rng.choice([0, 0, 1, 2, 7]))
        if arrived >= today:
            continue
        what_next = rng.random()
        stayed = (today - arrived).days
        # How the stay at our program ends, if it has: care ended, or moving on to aftercare.
        ended = leaving = None
        if client.stage == "conclusion" and stayed > 2:
            ended = arrived + timedelta(days=rng.randint(1, stayed - 1))
        elif what_next < 0.1 and stayed > 2 and next_level != "aftercare":
            leaving = arrived + timedelta(days=rng.randint(1, stayed - 1))
        first = episodes.add(
            client_id=client.pk,
            level=first_level,
            place_name=rng.choice(CARE_PLACES),
            admitted_on=admitted,
            discharged_on=left,
            discharge_type="transferred",
            admitted_by_id=client.case_manager,
            discharged_by_id=client.case_manager,
            version=2,
        )
        left_ours = ended or leaving
        second = episodes.add(
            client_id=client.pk,
            level=next_level,
            program_id=client.program_id,
            place_name="Our program",
            admitted_on=arrived,
            admitted_by_id=client.case_manager,
            **(
                {
                    "discharged_on": left_ours,
                    "discharge_type": (
                        rng.choice(["completed", "completed", "left_against_advice"])
                        if ended
                        else "completed"
                    ),
                    "discharged_by_id": client.case_manager,
                    "version": 2,
                }
                if left_ours
                else {}
            ),
        )
        transitions.add(
            client_id=client.pk,
            from_episode_id=first,
            to_level=next_level,
            to_program_id=client.program_id,
            to_place_name="Our program",
            left_on=left,
            reason="Stepped down",
            status="admitted",
            to_episode_id=second,
            opened_by_id=client.case_manager,
            closed_at=now,
            closed_by_id=client.case_manager,
            version=2,
        )
        made += 2
        if ended is not None:
            for mark in (30, 90, 180):
                due_on = ended + timedelta(days=mark)
                calls = _follow_up_calls(due_on, calling, now)
                closed = calls[-1][1] in FOLLOW_UP_CLOSES if calls else False
                follow_up = follow_ups.add(
                    client_id=client.pk,
                    episode_id=second,
                    program_id=client.program_id,
                    day_mark=mark,
                    discharged_on=ended,
                    due_on=due_on,
                    status=FOLLOW_UP_CLOSES[calls[-1][1]] if closed else "open",
                    closed_at=calls[-1][0] if closed else None,
                    version=2 if closed else 1,
                )
                for at, result in calls:
                    _follow_up_call(follow_up, client, at, result, attempts, outcomes, calling)
        elif leaving is not None:
            moving = transitions.add(
                client_id=client.pk,
                from_episode_id=second,
                to_level="aftercare",
                to_place_name="Eastside Aftercare",
                left_on=leaving,
                reason="Finished the program",
                opened_by_id=client.case_manager,
            )
            for index, kind in enumerate(HandoffKind.values):
                done = index < rng.randint(0, 6) and kind != "records_sent"
                items.add(
                    transition_id=moving,
                    kind=kind,
                    owner_id=client.case_manager,
                    due_on=leaving + timedelta(days=HANDOFF_DUE_DAYS[kind]),
                    state="done" if done else "open",
                    details="Done" if done else "",
                    done_at=now if done else None,
                    done_by_id=client.case_manager if done else None,
                )
        if len(episodes.rows) > BATCH * 20:
            for table in (episodes, transitions, items, follow_ups, attempts, outcomes):
                table.flush()
    for table in (episodes, transitions, items, follow_ups, attempts, outcomes):
        table.flush()
    statements = connection.ops.sequence_reset_sql(
        no_style(), [Episode, Transition, HandoffItem, FollowUp, FollowUpAttempt, FollowUpOutcome]
    )
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
    return made


# What an attempt that reaches the client, or that they decline, closes a follow-up as
# (followups.services).
FOLLOW_UP_CLOSES = {"reached": "reached", "declined": "declined"}


def _follow_up_calls(due_on: date, rng: random.Random, now: datetime) -> list[tuple[datetime, str]]:
    """The calls made once a follow-up fell due: most clients are reached within a few tries,
    some decline, some are never reached and it stays to do."""
    zone = timezone.get_current_timezone()
    at = datetime.combine(due_on, time(10), tzinfo=zone)
    calls: list[tuple[datetime, str]] = []
    for _ in range(rng.randint(1, 3)):
        if at >= now:
            break
        result = rng.choices(("reached", "no_answer", "wrong_number", "declined"), (55, 35, 3, 7))[
            0
        ]
        calls.append((at, result))
        if result in FOLLOW_UP_CLOSES:
            break
        at += timedelta(days=rng.randint(1, 4))
    return calls


def _follow_up_call(
    follow_up: int,
    client: InCare,
    at: datetime,
    result: str,
    attempts: Table,
    outcomes: Table,
    rng: random.Random,
) -> None:
    """One call, and how the client is doing when it reached them."""
    attempts.add(
        follow_up_id=follow_up,
        client_id=client.pk,
        result=result,
        note="" if result == "reached" else "Left a message.",
        attempted_at=at,
        by_id=client.case_manager,
        created_at=at,
    )
    if result != "reached":
        return
    outcomes.add(
        follow_up_id=follow_up,
        client_id=client.pk,
        use_since_discharge=rng.choices(("none", "some", "regular", "not_said"), (60, 25, 10, 5))[
            0
        ],
        housing=rng.choices(("stable", "unstable", "homeless"), (70, 25, 5))[0],
        work_or_school=rng.choice(("yes", "no")),
        legal=rng.choices(("none", "new", "ongoing"), (70, 5, 25))[0],
        social_support=rng.choices(("yes", "some", "no"), (50, 35, 15))[0],
        in_treatment=rng.choice(("yes", "no")),
        recorded_by_id=client.case_manager,
        recorded_at=at,
    )

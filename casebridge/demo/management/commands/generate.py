"""`casebridge generate --clients N`: a large synthetic data set for benchmarks.

Rows are written in bulk (not through the services) because they describe no real work: no
audit events or stage histories are made for them. One case manager, `bench-cm`, gets a caseload
of exactly --caseload clients so pages can be compared across database sizes. Each client gets
--records-per-client signed contact notes and check-ins; at the end each client's last contact
and last attempt are worked out from the notes in one UPDATE, as signing a note would, and the
next contact due follows.
"""

import random
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.db.models import Case, DateTimeField, Max, OuterRef, Q, Subquery, When
from django.utils import timezone

from casebridge.accounts.models import Organisation, Role
from casebridge.clients import stages
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
from casebridge.demo.management.commands.seed_demo import ensure_organisation
from casebridge.demo.names import FIRST_NAMES, LAST_NAMES
from casebridge.monitoring.formats import note_format
from casebridge.monitoring.models import CheckIn, ContactNote, ContactType, Sleep
from casebridge.monitoring.queries import note_rules
from casebridge.monitoring.standards import counting_types
from casebridge.monitoring.statuses import RECORDED, NoteStatus
from casebridge.plans.models import CarePlan, Goal, Intervention, PlanTask, Problem
from casebridge.plans.statuses import PlanStatus

ORGANISATION = "Synthetic Benchmark Agency"
BENCH_USER = "bench-cm"
BENCH_PASSWORD = "bench-password-2026"
BATCH = 5000


PLANNED = {"implementation", "monitoring", "review"}
# A handful of records a client: enough for the pages to read notes and check-ins among others'
# without making a 100,000-client build take hours. A third of them are check-ins.
RECORDS_PER_CLIENT = 6
# The contacts of generated notes, face to face most often; one in ten did not reach the client.
CONTACTS = (
    [ContactType.FACE_TO_FACE] * 4
    + [ContactType.PHONE] * 3
    + [ContactType.VISIT, ContactType.TEXT, ContactType.ATTEMPTED]
)


class Command(BaseCommand):
    help = "Add N synthetic clients (with staff, flags, contacts and timelines) for benchmarks."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--clients", type=int, required=True)
        parser.add_argument("--caseload", type=int, default=50, help="Clients given to bench-cm.")
        parser.add_argument("--per-case-manager", type=int, default=50)
        parser.add_argument(
            "--records-per-client",
            type=int,
            default=RECORDS_PER_CLIENT,
            help="Contact notes and check-ins for each client (a third of them check-ins).",
        )
        parser.add_argument("--seed", type=int, default=7)

    def handle(self, *args: Any, **options: Any) -> None:
        rng = random.Random(options["seed"])
        total: int = options["clients"]
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
        count_managers = max(1, total // options["per_case_manager"])
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
        now = timezone.now()
        year = timezone.localdate().year
        made = 0
        while made < total:
            size = min(BATCH, total - made)
            with transaction.atomic():
                Organisation.objects.select_for_update().get(pk=organisation.pk)
                organisation.refresh_from_db()
                start = organisation.last_case_sequence
                already_bench = Client.objects.filter(primary_case_manager=bench).count()
                batch = []
                for offset in range(size):
                    sequence = start + offset + 1
                    program = programs[sequence % len(programs)]
                    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
                    give_bench = already_bench + offset < options["caseload"]
                    batch.append(
                        Client(
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
                        )
                    )
                clients = Client.objects.bulk_create(batch)
                Organisation.objects.filter(pk=organisation.pk).update(
                    last_case_sequence=start + size
                )
                TimelineEntry.objects.bulk_create(
                    [
                        TimelineEntry(
                            client=c,
                            kind=TimelineKind.REGISTERED,
                            summary="Registered",
                            actor=bench,
                        )
                        for c in clients
                    ]
                    + [
                        TimelineEntry(
                            client=c,
                            kind=TimelineKind.STAGE,
                            summary=f"Moved to {c.get_stage_display()}",
                            actor=bench,
                        )
                        for c in clients
                    ]
                )
                ClientFlag.objects.bulk_create(
                    [
                        ClientFlag(client=c, kind=rng.choice(list(FlagKind)), raised_by=bench)
                        for c in clients
                        if rng.random() < 0.1
                    ]
                )
                Collateral.objects.bulk_create(
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
                self._plans(rng, [c for c in clients if c.stage in PLANNED], now)
                self._records(rng, clients, now, max(0, options["records_per_client"]))
            made += size
            self.stdout.write(f"  {made:>8,} / {total:,} clients", ending="\r")
            self.stdout.flush()
        self.stdout.write("")
        _contact_times_from_notes(Client.objects.filter(organisation=organisation))
        # Bulk loads leave the planner without statistics until autovacuum gets to them; a
        # database in service has them, so measure with them.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self.stdout.write(
            self.style.SUCCESS(
                f"Added {total:,} synthetic clients to {ORGANISATION}; sign in as {BENCH_USER}."
            )
        )

    def _plans(self, rng: random.Random, clients: list[Client], now: Any) -> None:
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

    def _records(self, rng: random.Random, clients: list[Client], now: Any, count: int) -> None:
        """Signed contact notes in each program's format, and check-ins, over the last 60 days."""
        check_ins = count // 3
        formats = {
            program_id: note_format(note_rules(program_id).note_format)
            for program_id in {c.program_id for c in clients}
        }
        notes = []
        for client in clients:
            fmt = formats[client.program_id]
            writer = client.primary_case_manager_id
            if writer is None:
                continue  # every generated client has one; a note always names its writer
            for _ in range(count - check_ins):
                contact_at = now - timedelta(days=rng.randint(0, 60), hours=rng.randint(1, 10))
                contact_type = rng.choice(CONTACTS)
                notes.append(
                    ContactNote(
                        client=client,
                        contact_at=contact_at,
                        contact_type=contact_type,
                        duration_minutes=5 if contact_type == ContactType.ATTEMPTED else 30,
                        note_format=fmt.code,
                        sections={section.key: "Synthetic note." for section in fmt.sections},
                        status=NoteStatus.SIGNED,
                        written_by_id=writer,
                        signed_at=min(now, contact_at + timedelta(hours=2)),
                    )
                )
        ContactNote.objects.bulk_create(notes, batch_size=BATCH)
        recorded = []
        for client in clients:
            mood, craving = rng.randint(2, 6), rng.randint(3, 8)
            for visit in range(check_ins):
                used = rng.random() < 0.1
                recorded.append(
                    CheckIn(
                        client=client,
                        checked_in_at=now - timedelta(days=(check_ins - visit) * 7),
                        mood=mood,
                        craving=craving,
                        used_since_last=used,
                        use_detail="Synthetic" if used else "",
                        sleep=rng.choice(list(Sleep)),
                        recorded_by_id=client.primary_case_manager_id,
                    )
                )
                mood = max(0, min(10, mood + rng.randint(-1, 2)))
                craving = max(0, min(10, craving + rng.randint(-2, 1)))
        CheckIn.objects.bulk_create(recorded, batch_size=BATCH)


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

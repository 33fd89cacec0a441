"""Synthetic intervention plans for `generate`: about one for every hundred clients in care,
in the first program, led by the benchmark's case manager. Most were accepted and are the
client they became; some were refused or are still being planned, each with the family taking
part (with letters), and the education sessions held."""

import random
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.utils import timezone

from casebridge.accounts.models import Organisation, Program, User
from casebridge.clients.models import Client, Collateral, Relationship
from casebridge.demo.court import InCourt
from casebridge.demo.names import FIRST_NAMES, LAST_NAMES
from casebridge.directory.models import Service
from casebridge.family import services as family_services
from casebridge.family.models import (
    ContactKind,
    EducationSession,
    FamilyContact,
    GroupKind,
    GroupVisit,
    InterventionPlan,
    Outcome,
    Participant,
    SessionTopic,
)
from casebridge.family.queries import PLANS_PER_PAGE

TASKS = ("Speaks first", "Reads their letter second", "Drives to treatment", "Minds the children")
BOUNDARIES = (
    "No more money for rent or the car.",
    "Will not cover for missed work again.",
    "The children do not visit while drinking.",
)


def family_generate(
    *,
    organisation: Organisation,
    program: Program,
    clients: Iterable[InCourt],
    rng: random.Random,
    now: datetime,
    lead_id: int,
    team_ids: list[int],
) -> int:
    """Returns how many plans."""
    in_program = [c for c in clients if c.program_id == program.pk]
    taken = set(InterventionPlan.objects.exclude(client=None).values_list("client_id", flat=True))
    admitted = [c for c in in_program if c.pk not in taken and rng.random() < 0.01][:500]
    names = dict(
        (pk, (first, last, born))
        for pk, first, last, born in Client.objects.filter(
            pk__in=[c.pk for c in admitted]
        ).values_list("pk", "legal_first_name", "legal_last_name", "date_of_birth")
    )
    plans: list[InterventionPlan] = []
    for client in admitted:
        first, last, born = names[client.pk]
        day = timezone.localtime(client.registered_at) - timedelta(days=rng.randint(1, 10))
        plans.append(_plan(organisation, program, lead_id, rng, first, last, day, now))
        plans[-1].outcome, plans[-1].client_id = Outcome.ACCEPTED, client.pk
        plans[-1].date_of_birth, plans[-1].outcome_on = born, day.date()
    # At least a page of the list being planned, so its page is as full at 1,000 clients as
    # at 100,000 and the benchmark compares like with like.
    for index in range(max(PLANS_PER_PAGE, len(admitted) // 3)):
        day = now + timedelta(days=rng.randint(-60, 20))
        plan = _plan(
            organisation,
            program,
            lead_id,
            rng,
            rng.choice(FIRST_NAMES),
            rng.choice(LAST_NAMES),
            day,
            now,
        )
        if day < now and index % 2:
            plan.outcome, plan.outcome_on = Outcome.REFUSED, day.date()
        plans.append(plan)
    InterventionPlan.objects.bulk_create(plans)
    people, sessions = [], []
    for plan in plans:
        for n in range(rng.randint(2, 4)):
            people.append(
                Participant(
                    plan=plan,
                    name=f"{rng.choice(FIRST_NAMES)} {plan.last_name}",
                    relationship=Relationship.FAMILY if n < 2 else Relationship.OTHER,
                    task=TASKS[n % len(TASKS)],
                    boundary=rng.choice(BOUNDARIES),
                    letter=f"Dear {plan.first_name}, we are writing because we love you.",
                )
            )
        for n in range(rng.randint(1, 3)):
            held = (plan.held_at or now) - timedelta(days=7 * (n + 1))
            if held <= now:
                sessions.append(
                    EducationSession(
                        plan=plan,
                        held_on=timezone.localdate(held),
                        topic=list(SessionTopic)[n % len(SessionTopic)],
                        attended="The family",
                        recorded_by_id=lead_id,
                    )
                )
    Participant.objects.bulk_create(people)
    EducationSession.objects.bulk_create(sessions)
    InterventionPlan.team.through.objects.bulk_create(
        InterventionPlan.team.through(interventionplan_id=plan.pk, user_id=rng.choice(team_ids))
        for plan in plans
        if team_ids and rng.random() < 0.5
    )
    return len(plans)


def _plan(
    organisation: Organisation,
    program: Program,
    lead_id: int,
    rng: random.Random,
    first: str,
    last: str,
    day: datetime,
    now: datetime,
) -> InterventionPlan:
    return InterventionPlan(
        organisation=organisation,
        program=program,
        lead_id=lead_id,
        first_name=first,
        last_name=last,
        concern="Drinking most days; missed work; the family has tried talking one by one.",
        asked_by=f"{rng.choice(FIRST_NAMES)} {last}, family",
        held_at=day,
        place="The family's home",
        transport="A sister drives, straight after.",
        if_refused="The family keeps the boundaries each wrote.",
        created_by_id=lead_id,
    )


def family_demo(program: Program, lead: User, teammate: User) -> None:
    """For the demo's case manager: a mother's plan for her son, four days from now, with the
    family taking part, their letters, two education sessions and a place reserved."""
    if InterventionPlan.objects.filter(lead=lead).exists():
        return
    today = timezone.localdate()
    plan = family_services.plan_start(
        by=lead,
        program=program,
        first_name="Marcus",
        last_name="Delgado",
        phone="5550107788",
        asked_by="Elena Delgado, mother",
        concern=(
            "Using pills and drinking since his back injury two years ago. Lost his job in "
            "March; we have talked to him one at a time and he says he can stop on his own."
        ),
    )
    service = Service.objects.filter(organisation=lead.organisation).order_by("pk").first()
    held = timezone.localtime() + timedelta(days=4)
    family_services.plan_update(
        plan=plan,
        by=lead,
        version=plan.version,
        team=[teammate],
        held_at=held.replace(hour=10, minute=0, second=0, microsecond=0),
        place="Elena's home",
        transport="His uncle Ray drives him straight to admission.",
        service=service,
        admission_on=held.date(),
        if_refused="The family keeps their boundaries and meets again with us in a week.",
    )
    for name, relationship, task, boundary in (
        ("Elena Delgado", Relationship.FAMILY, "Speaks first", "No more money for rent."),
        ("Ray Delgado", Relationship.FAMILY, "Drives to treatment", "No more covering at work."),
        ("Sofia Delgado", Relationship.PARTNER, "Reads her letter last", "Moves to her sister's."),
    ):
        family_services.participant_add(
            plan=plan,
            by=lead,
            name=name,
            relationship=relationship,
            task=task,
            boundary=boundary,
            letter=f"Marcus, this is {name.split()[0]}. We love you and we want you back.",
        )
    for back, topic in ((10, SessionTopic.ADDICTION), (3, SessionTopic.LETTERS)):
        family_services.session_record(
            plan=plan,
            by=lead,
            held_on=today - timedelta(days=back),
            topic=topic,
            attended="Elena, Ray and Sofia",
        )


ABOUT = (
    "How the first weeks home will go, and who to call on a hard day.",
    "The family's worries about money and the car keys.",
    "What the family can expect from treatment, and what helps.",
)


def family_contacts_generate(
    *, client_ids: list[int], rng: random.Random, now: datetime, by_id: int
) -> int:
    """Contacts with the family of about a third of these clients, and the groups family
    members went to. Returns how many contacts."""
    family = list(
        Collateral.objects.filter(
            client_id__in=client_ids, relationship__in=[Relationship.FAMILY, Relationship.PARTNER]
        ).values_list("pk", "client_id")
    )
    contacts: list[FamilyContact] = []
    present: list[int] = []
    visits: list[GroupVisit] = []
    today = timezone.localdate(now)
    for collateral_id, client_id in family:
        if rng.random() < 0.3:
            contacts.append(
                FamilyContact(
                    client_id=client_id,
                    held_on=today - timedelta(days=rng.randint(1, 120)),
                    kind=rng.choice(list(ContactKind)),
                    about=rng.choice(ABOUT),
                    recorded_by_id=by_id,
                )
            )
            present.append(collateral_id)
        if rng.random() < 0.2:
            visits.append(
                GroupVisit(
                    collateral_id=collateral_id,
                    kind=rng.choice(list(GroupKind)),
                    attended_on=today - timedelta(days=rng.randint(1, 90)),
                    recorded_by_id=by_id,
                )
            )
    FamilyContact.objects.bulk_create(contacts, batch_size=5000)
    FamilyContact.people.through.objects.bulk_create(
        (
            FamilyContact.people.through(familycontact_id=c.pk, collateral_id=who)
            for c, who in zip(contacts, present, strict=True)
        ),
        batch_size=5000,
    )
    GroupVisit.objects.bulk_create(visits, batch_size=5000)
    return len(contacts)

"""Synthetic coaching for `generate` and the demo: each program's coaching rules (case managers
assign coaches in the first), and an agreement for every coached client, at an intensity that
fits the care they are in."""

import random
from datetime import datetime, timedelta

from django.utils import timezone

from casebridge.accounts.models import Organisation, Program
from casebridge.clients.models import Client
from casebridge.coaching.models import CoachingAgreement, CoachingRules, Intensity

AGREEMENTS = (
    "A call every morning before work; the coach tells the case manager if a day is missed.",
    "Calls on Monday, Wednesday and Friday, and a meeting together on Saturdays.",
    "A weekly call on Sunday evening to plan the week; texts in between when cravings come.",
    "The coach stays through the first weeks home; the case manager hears of any use the same day.",
)
WEIGHTS = {Intensity.WEEKLY: 5, Intensity.SEVERAL: 4, Intensity.DAILY: 2, Intensity.LIVE_IN: 1}
BATCH = 5000


def coaching_generate(
    *, organisation: Organisation, programs: list[Program], rng: random.Random, now: datetime
) -> int:
    """Returns how many agreements."""
    for index, program in enumerate(programs):
        CoachingRules.objects.get_or_create(
            program=program, defaults={"case_managers_assign": index == 0}
        )
    have = set(CoachingAgreement.objects.values_list("client_id", flat=True))
    coached = (
        Client.objects.filter(organisation=organisation, coach__isnull=False)
        .exclude(pk__in=have)
        .values_list("pk", "coach_id", "registered_at", "primary_case_manager_id")
    )
    kinds, weights = list(WEIGHTS), list(WEIGHTS.values())
    made, batch = 0, []
    for pk, coach_id, registered_at, manager_id in coached.iterator():
        started = min(
            timezone.localdate(registered_at) + timedelta(days=rng.randint(3, 30)),
            timezone.localdate(now),
        )
        batch.append(
            CoachingAgreement(
                client_id=pk,
                coach_id=coach_id,
                intensity=rng.choices(kinds, weights)[0],
                agreement=rng.choice(AGREEMENTS),
                started_on=started,
                made_by_id=manager_id or coach_id,
            )
        )
        if len(batch) >= BATCH:
            made += len(CoachingAgreement.objects.bulk_create(batch))
            batch = []
    made += len(CoachingAgreement.objects.bulk_create(batch))
    return made

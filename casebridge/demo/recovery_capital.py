"""Synthetic support networks and own words for `generate` and the demo: most clients in care
have a sponsor or a home group, some a recovery community organisation, supportive family, and
a person or place they stay away from; many have said what keeps them going."""

import random
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Protocol

from django.utils import timezone

from casebridge.recovery_capital.models import OwnWords, SupportTie, TieKind

NAMES = {
    TieKind.SPONSOR: ("Mike R.", "Dolores", "Sam from the Tuesday group", "Grace H."),
    TieKind.HOME_GROUP: ("Tuesday Night Hope", "Sunrise Serenity", "SMART Recovery Thursday"),
    TieKind.COMMUNITY: ("Riverbend Recovery Community Center", "Faces & Voices local chapter"),
    TieKind.SUPPORTER: ("Aunt Rosa", "Brother Luis", "Neighbour Pat", "Coach from the gym"),
    TieKind.AVOID: ("The Corner Bar", "Old crowd at the park", "Cousin Jay", "The casino"),
}
SHARES = {
    TieKind.SPONSOR: 0.5,
    TieKind.HOME_GROUP: 0.6,
    TieKind.COMMUNITY: 0.2,
    TieKind.SUPPORTER: 0.6,
    TieKind.AVOID: 0.4,
}
WORDS = (
    "My kids. I want to be at every game this season.",
    "Getting my licence back and driving to work again.",
    "My mother is proud of me again.",
    "Waking up without shaking. I never want to go back.",
    "The guys at my home group, and my dog.",
)
BATCH = 5000


class Someone(Protocol):
    @property
    def pk(self) -> int: ...


def capital_generate(
    *, clients: Iterable[Someone], rng: random.Random, now: datetime, by_id: int
) -> int:
    """Returns how many ties."""
    ties: list[SupportTie] = []
    words: list[OwnWords] = []
    made = 0
    today = timezone.localdate(now)
    have = set(OwnWords.objects.values_list("client_id", flat=True))
    for client in clients:
        author = by_id
        for kind, share in SHARES.items():
            if rng.random() < share:
                ties.append(
                    SupportTie(
                        client_id=client.pk,
                        kind=kind,
                        name=rng.choice(NAMES[kind]),
                        since=today - timedelta(days=rng.randint(20, 400)),
                        added_by_id=author,
                    )
                )
        if client.pk not in have and rng.random() < 0.5:
            words.append(
                OwnWords(client_id=client.pk, text=rng.choice(WORDS), updated_by_id=author)
            )
        if len(ties) >= BATCH:
            made += len(SupportTie.objects.bulk_create(ties))
            ties = []
    made += len(SupportTie.objects.bulk_create(ties))
    OwnWords.objects.bulk_create(words, batch_size=BATCH)
    return made

"""Reads about levels of care that the pages, My Day and the alert rules share."""

from dataclasses import dataclass
from datetime import date

from django.db import connections
from django.db.models import Count, Min, Q, QuerySet

from casebridge.access.policy import Action
from casebridge.accounts.models import Program, Role, User
from casebridge.assessments.models import Assessment, AssessmentStatus
from casebridge.clients.extensions import DueItem
from casebridge.clients.models import Client
from casebridge.clients.queries import reaches
from casebridge.directory.models import Service
from casebridge.directory.queries import Search, search_services
from casebridge.referrals.models import Referral
from casebridge.referrals.statuses import ReferralStatus
from casebridge.transitions import levels
from casebridge.transitions.models import (
    Episode,
    HandoffItem,
    HandoffState,
    Transition,
    TransitionStatus,
)


def episodes_of(client: Client) -> list[Episode]:
    return list(Episode.objects.filter(client=client).select_related("assessment"))


def open_episode(client: Client) -> Episode | None:
    return Episode.objects.filter(client=client, discharged_on__isnull=True).first()


def episode_of(client: Client, episode_id: int) -> Episode | None:
    return Episode.objects.filter(client=client, pk=episode_id).first()


def open_transition(client: Client) -> Transition | None:
    return (
        Transition.objects.filter(client=client, status=TransitionStatus.OPEN)
        .select_related("from_episode", "referral")
        .first()
    )


def transitions_of(client: Client) -> list[Transition]:
    return list(
        Transition.objects.filter(client=client).select_related("from_episode", "to_episode")
    )


def transition_of(client: Client, transition_id: int) -> Transition | None:
    return (
        Transition.objects.filter(client=client, pk=transition_id)
        .select_related("from_episode", "referral", "client")
        .first()
    )


def items_of(transition: Transition) -> list[HandoffItem]:
    return list(transition.items.select_related("owner", "done_by", "disclosure"))


def item_of(client: Client, item_id: int) -> HandoffItem | None:
    return (
        HandoffItem.objects.filter(transition__client=client, pk=item_id)
        .select_related("transition__client", "owner")
        .first()
    )


def signed_assessments(client: Client) -> QuerySet[Assessment]:
    return Assessment.objects.filter(client=client, status=AssessmentStatus.SIGNED).order_by(
        "-signed_at"
    )


def programs_for(user: User) -> QuerySet[Program]:
    """The programs a person may admit a client to: those they work in."""
    if user.organisation_id is None:
        return Program.objects.none()
    return user.programs.filter(is_active=True, organisation_id=user.organisation_id)


def referrals_for_transition(client: Client) -> QuerySet[Referral]:
    """The client's referrals that can lead to the next level (sent and not closed)."""
    return Referral.objects.filter(
        client=client,
        status__in=[
            ReferralStatus.REQUESTED,
            ReferralStatus.RECEIVED,
            ReferralStatus.ACCEPTED,
            ReferralStatus.IN_PROGRESS,
            ReferralStatus.ON_HOLD,
        ],
    ).order_by("-created_at")


def team_for(client: Client) -> QuerySet[User]:
    """Who may own a hand-off step: active case managers and supervisors of the client's program
    (the service still asks the policy whether the one chosen works with the client)."""
    return User.objects.filter(
        organisation_id=client.organisation_id,
        programs=client.program_id,
        is_active=True,
        role__in=[Role.CASE_MANAGER, Role.SUPERVISOR],
    ).order_by("first_name", "last_name")


@dataclass(frozen=True)
class StripPart:
    """One piece of the levels-of-care strip: a stay, or a gap between stays."""

    label: str
    place: str
    start: date
    end: date | None  # None: still there
    days: int
    share: float  # percent of the strip's width
    is_gap: bool
    level: str = ""
    x: float = 0  # where it starts, in percent of the strip's width
    tone: str = "a"  # stays alternate two shades, so two stays side by side read apart


def strip(episodes: list[Episode], today: date, *, moving: bool = False) -> list[StripPart]:
    """Where the client was, when, and the gaps between, as shares of the time since the first
    admission (each piece at least a sliver, so a one-day stay still shows). `moving`: a
    transition is open, so the time since the last stay is time between levels, not out of
    care."""
    if not episodes:
        return []
    parts: list[StripPart] = []
    previous_end: date | None = None
    for episode in sorted(episodes, key=lambda e: (e.admitted_on, e.pk)):
        if previous_end is not None and episode.admitted_on > previous_end:
            gap = (episode.admitted_on - previous_end).days
            parts.append(
                StripPart(
                    "Gap", "No care recorded", previous_end, episode.admitted_on, gap, 0, True
                )
            )
        end = episode.discharged_on
        parts.append(
            StripPart(
                levels.short_name(episode.level),
                episode.place_name,
                episode.admitted_on,
                end,
                max(episode.days(today), 1),
                0,
                False,
                episode.level,
            )
        )
        previous_end = end or today
    if previous_end is not None and previous_end < today and episodes[-1].discharged_on:
        parts.append(
            StripPart(
                "Between levels" if moving else "Out of care",
                "Waiting for the admission" if moving else "No care recorded",
                previous_end,
                None,
                (today - previous_end).days,
                0,
                True,
            )
        )
    # Each piece at least about 4 percent wide (readable), the rest shared by length.
    total = sum(max(part.days, 1) for part in parts) or 1
    raw = [max(100 * max(p.days, 1) / total, 4.0) for p in parts]
    scale = 100 / sum(raw)
    shaped, x, stays = [], 0.0, 0
    for p, width in zip(parts, raw, strict=True):
        share = round(width * scale, 2)
        tone = "ab"[stays % 2]
        stays += 0 if p.is_gap else 1
        shaped.append(
            StripPart(
                p.label,
                p.place,
                p.start,
                p.end,
                p.days,
                share,
                p.is_gap,
                p.level,
                round(x, 2),
                tone,
            )
        )
        x += share
    return shaped


def handoff_due(client_ids: list[int]) -> dict[int, list[DueItem]]:
    """A move under way as one due item per client: how many hand-off steps are still to do,
    due when the soonest of them is (one query)."""
    rows = (
        HandoffItem.objects.filter(
            transition__client_id__in=client_ids,
            transition__status=TransitionStatus.OPEN,
            state=HandoffState.OPEN,
        )
        .values("transition__client_id")
        .annotate(soonest=Min("due_on"), steps=Count("pk"))
    )
    return {
        row["transition__client_id"]: [
            DueItem(
                f"Hand-off ({row['steps']} step{'s' if row['steps'] != 1 else ''} to do)",
                row["soonest"],
                "care_levels",
            )
        ]
        for row in rows
    }


def my_handoff_steps(user: User, client_ids: list[int]) -> list[HandoffItem]:
    """The open hand-off steps a person owns, and those of their own clients (`client_ids`)
    whoever owns them, soonest first, of clients the policy lets them plan for (for My Day;
    one query; the policy's test is compiled once, clients.queries.reaches)."""
    mine = Q(owner=user) | Q(transition__client_id__in=client_ids)
    if connections[HandoffItem.objects.db].vendor == "sqlite":
        # Each half of the OR as its own set of ids, read through its index (a step's owner; a
        # move's client): given one OR across the two tables, SQLite read every open step of
        # the organisation in order of due date (4 ms at 100,000 clients, 0.4 at 1,000).
        # PostgreSQL reads the plain OR through the same indexes, and plans it faster.
        owned = HandoffItem.objects.filter(owner=user, state=HandoffState.OPEN).values("pk")
        theirs = HandoffItem.objects.filter(
            transition__in=Transition.objects.filter(
                client_id__in=client_ids, status=TransitionStatus.OPEN
            ).values("pk"),
            state=HandoffState.OPEN,
        ).values("pk")
        mine = Q(pk__in=owned) | Q(pk__in=theirs)
    steps = HandoffItem.objects.filter(
        mine,
        reaches(user, Action.PLAN, outer_field="transition__client_id"),
        state=HandoffState.OPEN,
        transition__status=TransitionStatus.OPEN,
    )
    return list(
        steps.select_related("transition__client", "owner")
        .only(
            "due_on",
            "kind",
            "owner_id",
            "transition__client_id",
            *(f"transition__client__{f}" for f in Client.NAME_FIELDS),
            *(f"owner__{f}" for f in User.NAME_FIELDS),
        )
        .order_by("due_on", "id")[:50]
    )


def without_clinical(
    episodes: list[Episode], transitions: list[Transition], items: list[HandoffItem]
) -> None:
    """Blank what only those who read clinical content may see (how and why a stay ended, why
    a move, what a hand-off step did), before the page is drawn for someone else: a coach sees
    where the client is and what is still to do, not why."""
    for episode in episodes:
        episode.discharge_type = ""
        episode.discharge_reason = ""
    for transition in transitions:
        transition.reason = ""
        transition.cancel_reason = ""
    for item in items:
        item.details = ""
        item.appointment_at = None


# How many directory services a search on the stay form offers.
SERVICES_OFFERED = 10


def directory_service(client: Client, service_id: int | None) -> Service | None:
    """A live service of the client's agency's directory, by id (None when it is not one)."""
    if service_id is None:
        return None
    return (
        Service.objects.filter(organisation_id=client.organisation_id, pk=service_id)
        .exclude(status__in=["inactive", "defunct"])
        .select_related("provider")
        .first()
    )


def directory_matches(client: Client, text: str) -> list[Service]:
    """The agency's directory services a few words find (for choosing where a stay is)."""
    found = search_services(organisation=client.organisation, search=Search(text=text))
    return [result.service for result in found[:SERVICES_OFFERED]]

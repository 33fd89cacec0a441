"""Reads of coaching: a client's agreements, and the coach's day (who to reach today and who
has gone longer than the agreement says), in a few queries however many clients."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Case, Max, Q, QuerySet, When
from django.utils import timezone

from casebridge.access.policy import Action
from casebridge.accounts.models import Role, User
from casebridge.clients.models import Client
from casebridge.coaching.models import CoachingAgreement
from casebridge.monitoring.models.contacts import CheckIn, CoachingSession


def agreements(client: Client) -> list[CoachingAgreement]:
    return list(client.coaching.select_related("coach", "made_by"))


def coaches_for(client: Client) -> QuerySet[User]:
    """The coaches who may be assigned: active coaches of the client's program."""
    return User.objects.filter(
        organisation_id=client.organisation_id,
        role=Role.COACH,
        is_active=True,
        programs=client.program_id,
    ).order_by("first_name", "last_name", "pk")


def coaches_listed(client: Client, words: str, limit: int) -> tuple[list[User], bool]:
    """The coaches the form lists: the client's present coach first, then the first `limit`
    others by name (with `words`, of those whose first name, last name or username holds every
    word); and whether there were more than `limit`. One query, however many coaches the
    program has."""
    coaches = coaches_for(client)
    present = client.coach_id or 0
    if words.split():
        found = Q()
        for word in words.split()[:5]:
            found &= (
                Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(username__icontains=word)
            )
        coaches = coaches.filter(found | Q(pk=present))
    rows = list(
        coaches.order_by(
            Case(When(pk=present, then=0), default=1), "first_name", "last_name", "pk"
        )[: limit + 2]
    )
    others = [coach for coach in rows if coach.pk != present]
    return [coach for coach in rows if coach.pk == present] + others[:limit], len(others) > limit


@dataclass
class CoachedClient:
    client: Client
    agreement: CoachingAgreement
    last_contact: date | None
    due_on: date

    def days_over(self, today: date) -> int:
        return (today - self.due_on).days


@dataclass
class CoachDay:
    today: date
    due: list[CoachedClient]  # due today
    missed: list[CoachedClient]  # past due
    later: list[CoachedClient]


def coach_day(user: User, today: date | None = None) -> CoachDay:
    """The coach's clients with an agreement in effect, by when the next contact is due: the
    last coaching session or check-in plus the days the intensity allows."""
    today = today or timezone.localdate()
    clients = {
        c.pk: c
        for c in Client.objects.restrict(user, Action.CHECK_IN, include_emergency=False)
        .filter(coach=user)
        .exclude(stage="closed")
    }
    in_effect = CoachingAgreement.objects.filter(
        client_id__in=list(clients), coach=user, ended_on__isnull=True
    ).order_by("client_id")
    sessions = dict(
        CoachingSession.objects.filter(client_id__in=list(clients))
        .values("client_id")
        .annotate(last=Max("session_on"))
        .values_list("client_id", "last")
    )
    check_ins = dict(
        CheckIn.objects.filter(client_id__in=list(clients))
        .values("client_id")
        .annotate(last=Max("checked_in_at"))
        .values_list("client_id", "last")
    )
    day = CoachDay(today, [], [], [])
    for agreement in in_effect:
        seen = [
            d
            for d in (
                sessions.get(agreement.client_id),
                timezone.localdate(check_ins[agreement.client_id])
                if agreement.client_id in check_ins
                else None,
            )
            if d is not None and d >= agreement.started_on
        ]
        last = max(seen) if seen else None
        due_on = (last or agreement.started_on) + timedelta(days=agreement.every_days)
        if last is None:
            due_on = agreement.started_on  # the first contact is due the day coaching starts
        row = CoachedClient(clients[agreement.client_id], agreement, last, due_on)
        if due_on < today:
            day.missed.append(row)
        elif due_on == today:
            day.due.append(row)
        else:
            day.later.append(row)
    day.missed.sort(key=lambda r: r.due_on)
    day.later.sort(key=lambda r: r.due_on)
    return day

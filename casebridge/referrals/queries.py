"""Reads of referrals for the pages and the caseload: a client's referrals, one of them with its
history, and the due items (follow-ups that are due and referrals sent but not answered)."""

from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone

from casebridge.clients.extensions import DueItem
from casebridge.clients.models import Client
from casebridge.plans.models import Goal
from casebridge.plans.statuses import PlanStatus
from casebridge.referrals.models import Referral
from casebridge.referrals.statuses import AWAITING_ANSWER, OPEN


def goals_in_effect(client: Client) -> QuerySet[Goal]:
    """The goals of the client's plan in effect, which a referral may serve."""
    return Goal.objects.filter(plan__client=client, plan__status=PlanStatus.ACTIVE)


def referrals_for(client: Client) -> list[Referral]:
    return list(client.referrals.select_related("created_by", "goal").order_by("-created_at")[:200])


def referral_of(client: Client, referral_id: int) -> Referral | None:
    return (
        client.referrals.select_related("created_by", "goal", "service", "disclosure")
        .prefetch_related("events__by", "communications__by")
        .filter(pk=referral_id)
        .first()
    )


def referrals_due(client_ids: list[int]) -> dict[int, list[DueItem]]:
    """Per client: the earliest follow-up of open referrals, and referrals sent that nobody has
    answered by the day the program expects (ReferralRules; one query for any number of
    clients)."""
    today = timezone.localdate()
    follow_up = Q(status__in=OPEN, next_follow_up_on__isnull=False)
    unanswered = Q(status__in=AWAITING_ANSWER, answer_due_on__lt=today)
    rows = (
        Referral.objects.filter(follow_up | unanswered, client_id__in=client_ids)
        .values("client_id")
        .annotate(
            next_follow_up=Min("next_follow_up_on", filter=follow_up),
            follow_ups=Count("pk", filter=follow_up),
            unanswered=Count("pk", filter=unanswered),
            first_due=Min("answer_due_on", filter=unanswered),
        )
        .order_by()
    )
    due: dict[int, list[DueItem]] = {}
    for row in rows:
        items = due.setdefault(row["client_id"], [])
        if row["next_follow_up"] is not None:
            more = f" ({row['follow_ups']} open)" if row["follow_ups"] > 1 else ""
            items.append(
                DueItem(
                    label=f"Referral follow-up{more}",
                    due_on=row["next_follow_up"],
                    url_name="referral_list",
                )
            )
        if row["unanswered"]:
            more = f" ({row['unanswered']})" if row["unanswered"] > 1 else ""
            items.append(
                DueItem(
                    label=f"Referral not answered in time{more}",
                    due_on=row["first_due"],
                    url_name="referral_list",
                )
            )
    return due

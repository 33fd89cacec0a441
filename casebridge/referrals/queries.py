"""Reads of referrals for the pages and the caseload: a client's referrals, one of them with its
history, and the due items (follow-ups that are due and referrals sent but not answered)."""

from uuid import UUID

from django.db.models import Count, Min, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from casebridge.access.policy import Action
from casebridge.accounts.models import User
from casebridge.clients.extensions import DueItem
from casebridge.clients.models import Client
from casebridge.clients.queries import client_for, user_may
from casebridge.directory.extensions import SearchedFor
from casebridge.directory.models import Service, TaxonomyTerm
from casebridge.directory.queries import category_terms
from casebridge.plans.extensions import PlanLink
from casebridge.plans.models import CarePlan, Goal, Intervention, Responsible
from casebridge.plans.statuses import PlanStatus
from casebridge.prepared import Prepared
from casebridge.referrals.models import Referral
from casebridge.referrals.statuses import AWAITING_ANSWER, OPEN

# The most directory services the referral form offers at once: a phone screen's worth.
SERVICES_OFFERED = 10

# The directory category (casebridge_taxonomy.json code) to look in first for each life area
# of the assessment (assessments.biopsychosocial.NEED_DOMAINS).
NEED_CATEGORIES = {
    "housing": "housing",
    "employment": "employment",
    "education": "vocational-training",
    "legal": "legal-aid",
    "finances": "benefits",
    "childcare": "childcare",
    "transportation": "transportation",
    "medical": "health-care",
    "mental_health": "mental-health",
    "substance_use": "treatment",
    "family_social": "family-services",
    "recovery_support": "recovery-support",
}


def client_searched_for(user: User, client_id: int) -> SearchedFor:
    """For the directory's search near a client: the client through the access policy (read
    audited there; "not found" for anyone who may not see them)."""
    client = client_for(user=user, client_id=client_id)
    return SearchedFor(pk=client.pk, display_name=client.display_name, address=client.address)


def directory_services(client: Client) -> QuerySet[Service]:
    """The services of the client's agency's directory a referral may go to."""
    return Service.objects.filter(organisation_id=client.organisation_id).exclude(
        status__in=["inactive", "defunct"]
    )


def category_for_need(client: Client, action: Intervention | None) -> TaxonomyTerm | None:
    """The directory category for the life area of the need the plan action serves."""
    if action is None or action.goal.problem_id is None:
        return None
    code = NEED_CATEGORIES.get(action.goal.problem.need_domain)
    if code is None:
        return None
    return category_terms(client.organisation).filter(code=code).first()


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


def provider_actions_in_effect(client: Client) -> QuerySet[Intervention]:
    """The actions of the plan in effect that a provider carries out, which a referral may
    carry out in turn."""
    return Intervention.objects.filter(
        plan__client=client, plan__status=PlanStatus.ACTIVE, responsible=Responsible.PROVIDER
    ).select_related("goal")


def _state(referral: Referral) -> str:
    state = referral.get_status_display()
    if referral.outcome:
        state += f": {referral.get_outcome_display().lower()}"
    elif referral.status_reason:
        state += f": {referral.get_status_reason_display().lower()}"
    return state


# What the plan's pages show of each referral and of each action a provider carries out, in
# queries built once (every look at a plan asks them; casebridge.prepared).
_PLAN_REFERRALS = Prepared(
    lambda client_id: (
        Referral.objects.filter(client_id=client_id)
        .select_related("goal")
        .only(
            "client_id",
            "service_name",
            "provider_name",
            "status",
            "status_reason",
            "outcome",
            "plan_action_key",
            "goal__key",
        )
        .order_by("created_at", "pk")
    ),
    client_id=-(2**31) + 13,
)
_PROVIDER_ACTIONS = Prepared(
    lambda plan_id: Intervention.objects.filter(
        plan_id=plan_id, responsible=Responsible.PROVIDER
    ).only("key"),
    plan_id=-(2**31) + 17,
)


def plan_links(plan: CarePlan, viewer: object) -> dict[UUID, list[PlanLink]]:
    """Under each goal, the referrals made for it with their status and outcome; under each
    provider action of the plan in effect, the referral that carries it out, or, for those who
    may send it, a link to make it (two queries, three with such an action).
    The plan's pages are for those who read clinical content, as referrals are."""
    found: dict[UUID, list[PlanLink]] = {}
    made_for: set[UUID] = set()
    for referral in _PLAN_REFERRALS(client_id=plan.client_id):
        link = PlanLink(
            text=f"Referral to {referral.service_name or referral.provider_name}",
            url=reverse("referral_detail", args=[plan.client_id, referral.pk]),
            state=_state(referral),
        )
        if referral.goal is not None:
            found.setdefault(referral.goal.key, []).append(link)
        if referral.plan_action_key is not None:
            made_for.add(referral.plan_action_key)
            found.setdefault(referral.plan_action_key, []).append(link)
    if plan.status == PlanStatus.ACTIVE:
        actions = [
            action.key
            for action in _PROVIDER_ACTIONS(plan_id=plan.pk)
            if action.key not in made_for
        ]
        # Making a referral sends information out of the program: offered to those who may.
        if actions and isinstance(viewer, User) and user_may(viewer, plan.client, Action.DISCLOSE):
            for key in actions:
                found.setdefault(key, []).append(
                    PlanLink(
                        text="Make the referral",
                        url=reverse("referral_new", args=[plan.client_id]) + f"?action={key}",
                    )
                )
    return found

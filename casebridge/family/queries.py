"""Reads of intervention plans, always through family.access."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.paginator import Page
from django.db.models import Case, F, Q, QuerySet, Value, When

from casebridge.access.policy import Someone
from casebridge.accounts.models import Program, User
from casebridge.audit.services import audit_record
from casebridge.clients.models import Client, Collateral
from casebridge.consents.gate import DisclosureRequest, Recipient, decide
from casebridge.consents.models import Consent, ConsentStatus, InformationCategory, Purpose
from casebridge.directory.models import Service
from casebridge.family.access import plans_for
from casebridge.family.models import FamilyContact, GroupVisit, InterventionPlan, Outcome
from casebridge.family.services import OBJECT_TYPE, TEAM_ROLES
from casebridge.paging import page_of

CONTACTS_PER_PAGE = 25


PLANS_PER_PAGE = 25


def plan_list(user: Someone, page: str | None = None) -> Page[InterventionPlan]:
    """One page of the plans a person reads: those still being planned first, soonest day
    first (not yet set last), then the latest outcomes. Counted only a few pages ahead."""
    being_planned = Q(outcome=Outcome.PLANNING)
    plans = (
        plans_for(user)
        .select_related("lead", "program", "client")
        .annotate(
            done=Case(When(being_planned, then=Value(0)), default=Value(1)),
            planned_for=Case(When(being_planned, then=F("held_at")), default=None),
        )
        .order_by(
            "done",
            F("planned_for").asc(nulls_last=True),
            F("outcome_on").desc(nulls_last=True),
            "-pk",
        )
    )
    return page_of(plans, PLANS_PER_PAGE, page)


def plan_for(user: User, plan_id: int) -> InterventionPlan | None:
    """One plan the person reads, its reading audited; None when it is not theirs to read."""
    plan = (
        plans_for(user)
        .select_related("lead", "program", "service", "service__provider", "client")
        .filter(pk=plan_id)
        .first()
    )
    if plan is not None:
        audit_record(
            actor=user,
            action="view",
            client_id=plan.client_id,
            organisation_id=plan.organisation_id,
            object_type=OBJECT_TYPE,
            object_id=plan.pk,
        )
    return plan


def starting_programs(user: User) -> QuerySet[Program]:
    return user.programs.filter(organisation=user.organisation, is_active=True)


def directory_services(plan: InterventionPlan) -> QuerySet[Service]:
    return Service.objects.filter(organisation_id=plan.organisation_id).select_related("provider")


def team_choices(plan: InterventionPlan) -> QuerySet[User]:
    return (
        User.objects.filter(
            organisation_id=plan.organisation_id,
            programs=plan.program_id,
            role__in=TEAM_ROLES,
            is_active=True,
        )
        .exclude(pk=plan.lead_id)
        .order_by("first_name", "last_name")
    )


def plan_parts(plan: InterventionPlan) -> dict[str, Any]:
    return {
        "people": list(plan.people.all()),
        "sessions": list(plan.sessions.select_related("recorded_by")),
        "team": list(plan.team.all()),
    }


# Family involvement with a client

FAMILY_RELATIONSHIPS = ("family", "partner")


@dataclass
class FamilyMember:
    collateral: Collateral
    # What staff may tell them, for family involvement, under a consent in effect today.
    may_be_told: list[str]
    groups: list[GroupVisit]


def family_of(client: Client, today: date) -> list[FamilyMember]:
    """The client's family on the record, each with what a consent in effect lets staff tell
    them (the consent gate decides, one category at a time) and the groups they went to
    (three queries)."""
    family = list(family_collaterals(client))
    consents = list(
        Consent.objects.filter(client=client).exclude(status=ConsentStatus.DRAFT).order_by("-pk")
    )
    visits: dict[int, list[GroupVisit]] = {}
    for visit in GroupVisit.objects.filter(collateral__in=family).select_related("recorded_by"):
        visits.setdefault(visit.collateral_id, []).append(visit)
    labels = dict(InformationCategory.choices)
    members = []
    for person in family:
        recipient = Recipient(name=person.name, collateral_id=person.pk)
        told = [
            str(labels[category])
            for category in InformationCategory
            if category != InformationCategory.ALL_SUD
            and decide(
                consents,
                DisclosureRequest(recipient, frozenset({str(category)}), Purpose.FAMILY, today),
            ).allowed
        ]
        members.append(FamilyMember(person, told, visits.get(person.pk, [])))
    return members


def family_contacts(client: Client, page: str | None = None) -> Page[FamilyContact]:
    """One page of the contacts with the client's family, newest first."""
    contacts = page_of(
        client.family_contacts.select_related("recorded_by").prefetch_related("people"),
        CONTACTS_PER_PAGE,
        page,
    )
    contacts.object_list = list(contacts.object_list)  # read once: shown and audited
    return contacts


def family_collaterals(client: Client) -> QuerySet[Collateral]:
    return client.collaterals.filter(relationship__in=FAMILY_RELATIONSHIPS).order_by("name")

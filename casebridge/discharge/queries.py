"""Reads of the discharge app: a client's aftercare plan with its check-in dates and crisis
contacts, their discharge summaries, and the facts a summary is made of (the services freeze these
into a finalised summary, so they are plain JSON: text, whole numbers and ISO dates)."""

from datetime import date
from typing import Any

from django.db.models import Q
from django.utils import timezone

from casebridge.assessments.definitions import all_instruments
from casebridge.assessments.queries import history
from casebridge.clients.models import Client
from casebridge.discharge.models import (
    CARE_KIND_NAMES,
    CARE_KINDS,
    AftercarePlan,
    DischargeSummary,
    SummaryDisclosure,
)
from casebridge.discharge.schedule import checkin_dates
from casebridge.discharge.statuses import SummaryStatus
from casebridge.monitoring.models.recovery import Medication
from casebridge.plans.models import CarePlan
from casebridge.plans.queries import latest_progress
from casebridge.plans.statuses import PlanStatus
from casebridge.referrals.models import Referral
from casebridge.safety.queries import plan_in_effect
from casebridge.transitions.models import Episode

# --- The aftercare plan ------------------------------------------------------------------------


def aftercare_of(client: Client) -> AftercarePlan | None:
    return AftercarePlan.objects.filter(client=client).first()


def crisis_contacts(client: Client) -> list[str] | None:
    """Whom the client reaches in a crisis, from the safety plan in effect (the people who help,
    then the professionals and crisis lines); None when no safety plan is in effect."""
    plan = plan_in_effect(client)
    if plan is None:
        return None
    return plan.lines("help_contacts") + plan.lines("professionals")


def aftercare_facts(plan: AftercarePlan | None, client: Client) -> dict[str, Any] | None:
    """The aftercare plan as plain data, with its check-in dates and the crisis contacts of the
    safety plan in effect: what the page, the summary and the PDF show."""
    if plan is None:
        return None
    dates = checkin_dates(
        plan.starts_on,
        weekly_weeks=plan.weekly_weeks,
        fortnightly_weeks=plan.fortnightly_weeks,
        monthly_months=plan.monthly_months,
    )
    return {
        "starts_on": plan.starts_on.isoformat(),
        "weekly_weeks": plan.weekly_weeks,
        "fortnightly_weeks": plan.fortnightly_weeks,
        "monthly_months": plan.monthly_months,
        "care": [
            {"kind": name, "lines": plan.lines(name)}
            for name in CARE_KIND_NAMES
            if plan.lines(name)
        ],
        "checkins": [day.isoformat() for day in dates],
        "relapse_prevention": plan.lines("relapse_prevention"),
        "crisis_contacts": crisis_contacts(client),
    }


def care_headings() -> dict[str, str]:
    return {name: heading for name, heading, _ in CARE_KINDS}


# --- Discharge summaries -----------------------------------------------------------------------


def summaries_for(client: Client) -> list[DischargeSummary]:
    return list(
        DischargeSummary.objects.filter(client=client).select_related("created_by", "finalised_by")
    )


def summary_of(client: Client, summary_id: int) -> DischargeSummary | None:
    return (
        DischargeSummary.objects.filter(client=client, pk=summary_id)
        .select_related("finalised_by")
        .first()
    )


def draft_of(client: Client) -> DischargeSummary | None:
    return DischargeSummary.objects.filter(client=client, status=SummaryStatus.DRAFT).first()


def disclosures_of(summary: DischargeSummary) -> list[SummaryDisclosure]:
    return list(summary.disclosures.select_related("disclosure", "by"))


def default_discharge_day(client: Client) -> date:
    """The day a new summary or aftercare plan starts from: the aftercare plan's, else the day
    the client's last stay ended, else today."""
    plan = aftercare_of(client)
    if plan is not None:
        return plan.starts_on
    last = (
        Episode.objects.filter(client=client, discharged_on__isnull=False)
        .order_by("-discharged_on", "-id")
        .values_list("discharged_on", flat=True)
        .first()
    )
    return last or timezone.localdate()


def _iso(value: date | None) -> str:
    return value.isoformat() if value else ""


def _episodes(client: Client, until: date) -> list[dict[str, Any]]:
    return [
        {
            "level": episode.level,
            "level_label": episode.get_level_display(),
            "place": episode.place_name,
            "admitted_on": _iso(episode.admitted_on),
            "discharged_on": _iso(episode.discharged_on),
            "discharge_type": episode.discharge_type,
            "discharge_type_label": episode.get_discharge_type_display()
            if episode.discharge_type
            else "",
            "reason": episode.discharge_reason,
        }
        for episode in Episode.objects.filter(client=client, admitted_on__lte=until).order_by(
            "admitted_on", "id"
        )
    ]


def _referrals(client: Client) -> list[dict[str, Any]]:
    """The referrals that connected the client with a service (it got under way or completed)."""
    return [
        {
            "provider": referral.provider_name,
            "service": referral.service_name,
            "connected_on": _iso(timezone.localdate(referral.connected_at))
            if referral.connected_at
            else "",
            "status": referral.status,
            "status_label": referral.get_status_display(),
            "outcome_label": referral.get_outcome_display() if referral.outcome else "",
        }
        for referral in Referral.objects.filter(client=client, connected_at__isnull=False).order_by(
            "connected_at", "id"
        )
    ]


def _care_plan(client: Client) -> CarePlan | None:
    """The care plan the goals come from: the one in effect, else the last one that was."""
    plans = CarePlan.objects.filter(client=client).exclude(status=PlanStatus.DRAFT)
    return (
        plans.filter(status=PlanStatus.ACTIVE).first()
        or plans.filter(activated_at__isnull=False).order_by("-sequence").first()
    )


def _goals(client: Client) -> list[dict[str, Any]]:
    plan = _care_plan(client)
    if plan is None:
        return []
    ratings = latest_progress(plan)
    goals = []
    for goal in plan.goals.order_by("problem__position", "position", "id"):
        rating = ratings.get(goal.key)
        goals.append(
            {
                "own_words": goal.own_words,
                "measurable": goal.measurable,
                "target_date": _iso(goal.target_date),
                "rating": rating.rating if rating else "",
                "rating_label": rating.get_rating_display() if rating else "",
                "rated_on": _iso(timezone.localdate(rating.review.reviewed_at)) if rating else "",
            }
        )
    return goals


def _result(response: Any) -> dict[str, Any]:
    scores = response.scores if isinstance(response.scores, dict) else {}
    return {
        "on": _iso(timezone.localdate(response.administered_at)),
        "score": response.primary_score,
        "band": response.band,
        "scores": {
            str(name): value
            for name, value in sorted(scores.items())
            if isinstance(value, int) and not isinstance(value, bool)
        },
    }


def _instruments(client: Client) -> list[dict[str, Any]]:
    """Each instrument's first and last results: at entry and at exit."""
    definitions = all_instruments()
    found = []
    for code, responses in sorted(history(client).items()):
        definition = definitions.get(code)
        found.append(
            {
                "code": code,
                "name": definition.plain_name if definition else code,
                "higher_is_better": bool(definition and definition.higher_is_better),
                "score_labels": dict(definition.score_labels) if definition else {},
                "first": _result(responses[0]),
                "last": _result(responses[-1]) if len(responses) > 1 else None,
            }
        )
    return found


def _medications(client: Client, on: date) -> list[dict[str, Any]]:
    """The prescriptions the client takes on the discharge day (the latest of each drug)."""
    found: dict[str, dict[str, Any]] = {}
    for medication in (
        Medication.objects.filter(client=client, started_on__lte=on)
        .filter(Q(stopped_on__isnull=True) | Q(stopped_on__gt=on))
        .order_by("started_on", "id")
    ):
        found[medication.drug.casefold()] = {
            "drug": medication.drug,
            "dose": medication.dose,
            "prescriber": medication.prescriber,
            "pharmacy": medication.pharmacy,
            "ends_on": _iso(medication.ends_on),
        }
    return list(found.values())


def summary_facts(client: Client, discharged_on: date) -> dict[str, Any]:
    """Everything a discharge summary states about the record, as it stands now."""
    return {
        "episodes": _episodes(client, discharged_on),
        "referrals": _referrals(client),
        "goals": _goals(client),
        "instruments": _instruments(client),
        "medications": _medications(client, discharged_on),
        "aftercare": aftercare_facts(aftercare_of(client), client),
    }


def facts_of(summary: DischargeSummary) -> dict[str, Any]:
    """What a summary shows: the frozen facts of a finalised one, the record now for a draft."""
    if summary.is_final:
        return dict(summary.facts)
    return summary_facts(summary.client, summary.discharged_on)

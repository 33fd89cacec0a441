"""Shared steps for discharge tests: stays at levels of care, a record with something in every
part of a summary, an aftercare plan, a draft and a final summary."""

from datetime import date, timedelta

from django.utils import timezone

from casebridge.assessments.services import instrument_record
from casebridge.discharge import services
from casebridge.discharge.models import AftercarePlan
from casebridge.monitoring.services.medications import medication_record
from casebridge.plans.services.reviews import review_record
from casebridge.referrals.models import Referral
from casebridge.referrals.services import referral_draft
from casebridge.transitions.models import Episode
from tests.plans.helpers import ready_plan, sign_all
from tests.safety.helpers import plan_in_effect

CARE = {
    "outpatient": "Riverside Clinic, Tuesdays 6 pm",
    "mutual_help": "NA at St Mark's, Monday and Thursday",
    "recovery_housing": "",
    "coach": "Cody, weekly call",
    "medication": "Buprenorphine 8 mg from Dr. Lee",
    "other": "",
}
RELAPSE = "Call my sponsor when I crave\nAvoid the bar on 5th St"


def stay(world, level, admitted_on, *, discharged_on=None, how="completed", place="Riverside"):
    """A stay at a level of care, written as the table keeps it (the transitions services are
    tested in their own app; these tests need only the rows)."""
    return Episode.objects.create(
        client=world.client,
        level=level,
        place_name=place,
        admitted_on=admitted_on,
        discharged_on=discharged_on,
        discharge_type=how if discharged_on else "",
        discharge_reason="Finished the program" if discharged_on else "",
        admitted_by=world.alice,
    )


def phq9(world, points):
    return instrument_record(
        client=world.client,
        by=world.alice,
        code="phq9",
        answers={str(item): points for item in range(1, 10)},
    )


def full_record(world):
    """Something in every part of the summary: two stays, a connected referral, a care plan goal
    rated at a review, two PHQ-9s, a medication and a safety plan in effect."""
    today = timezone.localdate()
    stay(world, "3.5", today - timedelta(days=60), discharged_on=today - timedelta(days=30))
    stay(world, "2.1", today - timedelta(days=30), discharged_on=today, place="Riverside IOP")
    referral = referral_draft(
        client=world.client, by=world.alice, provider_name="Hope House", reason="Housing"
    )
    Referral.objects.filter(pk=referral.pk).update(
        status="in-progress", connected_at=timezone.now() - timedelta(days=10)
    )
    plan = sign_all(ready_plan(world), world)
    goal = plan.goals.get()
    review_record(
        plan=plan,
        by=world.alice,
        reason="scheduled",
        summary="Going well",
        outcome="continue",
        ratings={goal.pk: ("achieved", "Signed the lease")},
    )
    phq9(world, 2)  # 18 at entry
    phq9(world, 1)  # 9 at exit
    medication_record(
        client=world.client,
        by=world.alice,
        drug="Buprenorphine",
        use_disorder="buprenorphine",
        dose="8 mg daily",
        prescriber="Dr. Lee",
        started_on=today - timedelta(days=20),
    )
    plan_in_effect(world)
    return world


def aftercare(world, *, by=None, starts_on: date | None = None, **changes):
    fields = {
        "starts_on": starts_on or timezone.localdate(),
        "weekly_weeks": 4,
        "fortnightly_weeks": 8,
        "monthly_months": 9,
        "care": CARE,
        "relapse_prevention": RELAPSE,
    } | changes
    existing = AftercarePlan.objects.filter(client=world.client).first()
    return services.aftercare_save(
        client=world.client,
        by=by or world.alice,
        version=existing.version if existing else 0,
        **fields,
    )


def draft(world, *, recommendations="Keep going to NA twice a week"):
    summary = services.summary_start(client=world.client, by=world.alice)
    return services.summary_save(
        summary=summary,
        by=world.alice,
        version=summary.version,
        discharged_on=summary.discharged_on,
        recommendations=recommendations,
    )


def final(world):
    summary = draft(world)
    return services.summary_finalise(summary=summary, by=world.alice, version=summary.version)

"""A care plan in effect puts on the client's calendar an obligation for each step the client,
the family or a provider takes, on the step's cadence; the plans app never imports monitoring."""

from pathlib import Path

import pytest
from django.utils import timezone

from casebridge.audit.models import AuditEvent
from casebridge.monitoring.models.appointments import Appointment, AppointmentSeries
from casebridge.monitoring.services.appointments import kind_from_action, obligations_follow_plan
from casebridge.plans import services as plan_services
from casebridge.plans.models import CarePlan
from tests.plans.helpers import in_days, ready_plan, sign_all


def add_step(plan, world, *, action, responsible, frequency="weekly", **extra):
    plan.refresh_from_db()
    step = plan_services.intervention_save(
        plan=plan,
        by=world.alice,
        version=plan.version,
        goal_id=plan.goals.get().pk,
        action=action,
        responsible=responsible,
        frequency=frequency,
        **extra,
    )
    plan.refresh_from_db()
    return step


@pytest.fixture
def plan_with_steps(world):
    """A draft with the case manager's own step (from ready_plan) and steps of the client's, the
    family's, a provider's, the coach's and an as-needed one."""
    plan = ready_plan(world)
    add_step(plan, world, action="Go to an NA meeting", responsible="client", frequency="daily")
    add_step(
        plan,
        world,
        action="Attend the Tuesday family group",
        responsible="family",
        first_due_on=in_days(5),
    )
    add_step(
        plan,
        world,
        action="Weekly therapy session",
        responsible="provider",
        provider_name="Dr. Okafor",
        frequency="fortnightly",
    )
    add_step(plan, world, action="Walk to the meeting", responsible="coach", owner=world.cody)
    add_step(plan, world, action="Call the sponsor", responsible="client", frequency="as_needed")
    return plan


def test_activation_puts_the_client_family_and_provider_steps_on_the_calendar(
    world, plan_with_steps
):
    sign_all(plan_with_steps, world)
    series = {s.plan_action: s for s in AppointmentSeries.objects.filter(client=world.client)}
    assert set(series) == {
        "Go to an NA meeting",
        "Attend the Tuesday family group",
        "Weekly therapy session",
    }
    meetings = series["Go to an NA meeting"]
    assert meetings.recurrence == "daily" and meetings.created_by == world.alice
    first = meetings.appointments.first()
    assert (first.kind, first.timed, first.status) == ("mutual_help", False, "scheduled")
    assert timezone.localdate(first.starts_at) == in_days(1)
    family = series["Attend the Tuesday family group"].appointments.first()
    assert (family.kind, timezone.localdate(family.starts_at)) == ("group", in_days(5))
    therapy = series["Weekly therapy session"]
    assert therapy.recurrence == "fortnightly"
    assert therapy.appointments.first().provider == "Dr. Okafor"
    assert therapy.appointments.first().kind == "therapy"
    assert AuditEvent.objects.filter(object_type="appointment_series", action="create").count() == 3


def test_running_again_or_a_new_version_makes_nothing_new(world, plan_with_steps):
    plan = sign_all(plan_with_steps, world)
    before = Appointment.objects.count()
    assert obligations_follow_plan(plan=plan) == []
    CarePlan.objects.get(pk=plan.pk).save()  # saved again, as a whole
    revised = plan_services.plan_revise(plan=plan, by=world.alice, reason="Reviewed")
    sign_all(revised, world)
    assert Appointment.objects.count() == before
    assert AppointmentSeries.objects.filter(ended_at__isnull=True).count() == 3


def test_a_step_dropped_or_on_a_new_cadence_is_cancelled_from_now_on(world, plan_with_steps):
    plan = sign_all(plan_with_steps, world)
    revised = plan_services.plan_revise(plan=plan, by=world.alice, reason="Fewer meetings")
    steps = {step.action: step for step in revised.interventions.all()}
    revised.refresh_from_db()
    plan_services.element_remove(
        plan=revised,
        by=world.alice,
        version=revised.version,
        kind="action",
        element_id=steps["Attend the Tuesday family group"].pk,
    )
    meetings = steps["Go to an NA meeting"]
    add_step(
        revised,
        world,
        action=meetings.action,
        responsible="client",
        frequency="weekly",
        intervention_id=meetings.pk,
    )
    sign_all(revised, world)
    family = AppointmentSeries.objects.get(plan_action="Attend the Tuesday family group")
    assert family.ended_at is not None
    assert set(family.appointments.values_list("status", flat=True)) == {"cancelled"}
    daily, weekly = AppointmentSeries.objects.filter(plan_action="Go to an NA meeting").order_by(
        "pk"
    )
    assert (daily.recurrence, daily.ended_at is not None) == ("daily", True)
    assert (weekly.recurrence, weekly.ended_at) == ("weekly", None)
    assert not daily.appointments.filter(status="scheduled").exists()


def test_a_closed_plan_takes_its_obligations_off_the_calendar(world, plan_with_steps):
    plan = sign_all(plan_with_steps, world)
    plan_services.plan_close(plan=plan, by=world.alice, reason="Case concluded")
    assert not Appointment.objects.filter(status="scheduled").exists()
    assert not AppointmentSeries.objects.filter(ended_at__isnull=True).exists()
    event = AuditEvent.objects.filter(object_type="appointment_series", action="update").first()
    assert event.changes["ended"] == [None, "The care plan closed."]


def test_a_plan_of_only_staff_work_puts_nothing_on_the_calendar(world):
    sign_all(ready_plan(world), world)
    assert not Appointment.objects.exists()


@pytest.mark.parametrize(
    ("action", "kind"),
    [
        ("Go to AA three times a week", "mutual_help"),
        ("Attend the drug court status hearing", "court"),
        ("Meet the probation officer", "probation"),
        ("Random drug test at the lab", "drug_test"),
        ("Daily methadone dosing", "moud"),
        ("See the psychiatrist about sleep", "psychiatry"),
        ("Court-ordered therapy", "therapy"),
        ("Urine drug screen at the methadone clinic", "moud"),
        ("See the counselor", "therapy"),
        ("Weekly counseling", "therapy"),
        ("Check-up with the doctor", "medical"),
        ("Relapse prevention group", "group"),
        ("Apply for jobs at the job centre", "employment"),
        ("View housing with the landlord", "housing"),
        ("Renew SNAP benefits", "benefits"),
        ("Read a book", "other"),
        ("Psychotherapy with the team", "therapy"),
        ("Attend IOP three evenings a week", "therapy"),
        ("DBT group on Thursdays", "therapy"),
        ("Detox intake at the hospital", "medical"),
        ("Follow-up with Dr. Okafor", "medical"),
    ],
)
def test_the_kind_follows_plain_words_in_the_action(action, kind):
    assert kind_from_action(action) == kind


def test_a_step_whose_words_name_no_kind_does_not_show_its_provider_to_the_team(world):
    """A step like "Tuesdays at Hope House" may be health care: the calendar, which the whole team reads,
    does not name the provider of a step it cannot place."""
    plan = ready_plan(world)
    add_step(
        plan,
        world,
        action="Tuesdays at Hope House",
        responsible="provider",
        provider_name="Hope House Recovery Center",
    )
    sign_all(plan, world)
    made = Appointment.objects.filter(
        series__plan_action="Tuesdays at Hope House", client=world.client
    )
    assert made.exists()
    assert {(appointment.kind, appointment.provider) for appointment in made} == {("other", "")}


def test_the_plans_app_never_imports_monitoring():
    plans = Path(__file__).resolve().parents[2] / "casebridge" / "plans"
    importing = [
        str(path.relative_to(plans))
        for path in plans.rglob("*.py")
        if "casebridge.monitoring" in path.read_text(encoding="utf-8")
    ]
    assert importing == []

"""App config for care plans: adds the Care plan tab and plan reviews and tasks as due items."""

from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "casebridge.plans"
    label = "plans"
    verbose_name = "Care plans"

    def ready(self) -> None:
        from casebridge.access.policy import register_object_rule
        from casebridge.assessments.models import Assessment
        from casebridge.clients.extensions import (
            ClientTab,
            DueSource,
            TimelineEntryKind,
            register_conclusion_step,
            register_due_provider,
            register_tab,
            register_timeline_kind,
        )
        from casebridge.plans.models import CarePlan, PlanReview, PlanRules, PlanTask, TimelineKind
        from casebridge.plans.queries import may_record_own_task, plans_due
        from casebridge.plans.services.versions import plans_end_with_case

        register_tab(
            ClientTab(
                label="Care plan", url_name="plan_home", order=17, needs_action="read_clinical"
            )
        )
        register_due_provider(
            plans_due,
            needs_action="read_clinical",
            reads=[
                CarePlan,
                PlanTask,
                Assessment,
                DueSource(PlanReview, client="plan.client_id"),
                DueSource(PlanRules, program="program_id"),
            ],
        )
        register_object_rule("plans.record_own_task", may_record_own_task)
        register_conclusion_step(plans_end_with_case)
        register_timeline_kind(
            TimelineEntryKind(TimelineKind.PLAN, str(TimelineKind.PLAN.label), "read_clinical")
        )

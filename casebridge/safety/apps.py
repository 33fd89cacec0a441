"""App config for 24/7 support: safety plans, the on-call roster and after-hours contacts.

Adds the Safety plan client tab (anyone who may view the client reads the plan in effect: it is
what a coach needs in a crisis), the `safety.on_call` object rule, and this app's timeline kinds.
"""

from django.apps import AppConfig


class SafetyConfig(AppConfig):
    name = "casebridge.safety"
    label = "safety"
    verbose_name = "Safety plans and on-call"

    def ready(self) -> None:
        from casebridge.access.policy import register_object_rule
        from casebridge.clients.extensions import (
            ClientTab,
            TimelineEntryKind,
            register_tab,
            register_timeline_kind,
        )
        from casebridge.safety.models import TimelineKind
        from casebridge.safety.queries import may_open_on_call

        register_tab(
            ClientTab(
                label="Safety plan", url_name="safety_plan_home", order=18, needs_action="view"
            )
        )
        register_object_rule("safety.on_call", may_open_on_call)
        # That a plan was drafted, signed or put in effect is what anyone on the team needs to
        # know; that the on-call service opened the record or took a call is for the clinicians.
        for kind, action in (
            (TimelineKind.SAFETY_PLAN, "view"),
            (TimelineKind.ON_CALL, "read_clinical"),
            (TimelineKind.AFTER_HOURS, "read_clinical"),
        ):
            register_timeline_kind(TimelineEntryKind(kind.value, str(kind.label), action))

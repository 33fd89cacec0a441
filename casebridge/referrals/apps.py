"""App config for referrals: the Referrals tab, follow-ups and unanswered referrals as due items,
the timeline kind, and each referral under the goal and the plan action it serves; who the client is referred to, and why, is for those who read clinical
content."""

from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "casebridge.referrals"
    label = "referrals"
    verbose_name = "Referrals"

    def ready(self) -> None:
        from casebridge.clients.extensions import (
            ClientTab,
            TimelineEntryKind,
            register_due_provider,
            register_tab,
            register_timeline_kind,
        )
        from casebridge.directory.extensions import register_client_lookup
        from casebridge.plans.extensions import register_plan_links
        from casebridge.referrals.models import Referral
        from casebridge.referrals.queries import client_searched_for, plan_links, referrals_due
        from casebridge.referrals.services import TIMELINE_KIND

        register_timeline_kind(TimelineEntryKind(TIMELINE_KIND, "Referral", "read_clinical"))
        register_tab(
            ClientTab(
                label="Referrals", url_name="referral_list", order=29, needs_action="read_clinical"
            )
        )
        register_due_provider(referrals_due, needs_action="read_clinical", reads=[Referral])
        register_plan_links(plan_links)
        register_client_lookup(client_searched_for)

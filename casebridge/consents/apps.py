"""App config for consents: adds the Consents and Disclosures tabs and consent due dates."""

from django.apps import AppConfig


class ConsentsConfig(AppConfig):
    name = "casebridge.consents"
    label = "consents"

    def ready(self) -> None:
        from casebridge.clients.extensions import (
            ClientTab,
            TimelineEntryKind,
            register_due_provider,
            register_release_provider,
            register_tab,
            register_timeline_kind,
        )
        from casebridge.consents.models import Consent, TimelineKind
        from casebridge.consents.queries import collateral_releases, expiring_consents_due

        register_tab(ClientTab(label="Consents", url_name="consent_list", order=40))
        register_tab(
            ClientTab(
                label="Disclosures", url_name="disclosure_list", order=50, needs_action="disclose"
            )
        )
        register_due_provider(
            expiring_consents_due, needs_action="manage_consents", reads=[Consent]
        )
        register_timeline_kind(
            TimelineEntryKind(TimelineKind.CONSENT, str(TimelineKind.CONSENT.label), "view")
        )
        register_timeline_kind(
            TimelineEntryKind(
                TimelineKind.DISCLOSURE, str(TimelineKind.DISCLOSURE.label), "disclose"
            )
        )
        register_release_provider(collateral_releases)

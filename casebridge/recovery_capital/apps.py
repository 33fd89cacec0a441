"""App config for recovery capital: the support network and the client's own words, shown with
the BARC-10 trend and the recovery milestones. Adds the Recovery capital client tab (`view`:
the clinical parts are shown only to those who read clinical content)."""

from django.apps import AppConfig


class RecoveryCapitalConfig(AppConfig):
    name = "casebridge.recovery_capital"
    label = "recovery_capital"
    verbose_name = "Recovery capital"

    def ready(self) -> None:
        from casebridge.clients.extensions import ClientTab, register_tab

        register_tab(ClientTab(label="Recovery capital", url_name="recovery_capital", order=23))

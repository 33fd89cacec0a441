"""App config for sober and peer coaching: a coach's intensity and agreement, and the coach's
day. Adds the Coaching client tab (`view`: nothing clinical is on it)."""

from django.apps import AppConfig


class CoachingConfig(AppConfig):
    name = "casebridge.coaching"
    label = "coaching"
    verbose_name = "Sober and peer coaching"

    def ready(self) -> None:
        from casebridge.clients.extensions import ClientTab, register_tab

        register_tab(ClientTab(label="Coaching", url_name="coaching_client", order=24))

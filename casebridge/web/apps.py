"""App config for the web shell."""

from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "casebridge.web"
    label = "web"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from casebridge.web.middleware import session_signed_in

        user_logged_in.connect(session_signed_in, dispatch_uid="web.session_signed_in")

"""Sign-ins, sign-outs and failed sign-ins go on the audit trail (without the password)."""

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from casebridge.audit.context import remote_addr_of
from casebridge.audit.services import audit_record


def _addr(request: HttpRequest | None) -> str | None:
    return remote_addr_of(request) if request is not None else None


@receiver(user_logged_in)
def _logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    audit_record(actor=user, action="login", remote_addr=_addr(request))


@receiver(user_logged_out)
def _logged_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit_record(actor=user, action="logout", remote_addr=_addr(request))


@receiver(user_login_failed)
def _login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    username = str(credentials.get("username", ""))[:150]
    # File the attempt under the account's organisation so its auditors see it.
    organisation_id = (
        get_user_model()
        .objects.filter(username=username)
        .values_list("organisation_id", flat=True)
        .first()
    )
    audit_record(
        actor=None,
        action="login_failed",
        changes={"username": username},
        remote_addr=_addr(request),
        organisation_id=organisation_id,
    )

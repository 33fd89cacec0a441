"""Background work for accounts: telling staff that their sign-in authenticator changed."""

from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.tasks import TaskContext, task
from django.utils import timezone

from casebridge.background.outbox import deliver_once

# What each change looks like in the email: (subject, first sentence).
AUTHENTICATOR_CHANGES = {
    "enrolled": (
        "Casebridge: an authenticator app was set up for your sign-in",
        "An authenticator app was set up for two-step sign-in to your Casebridge account",
    ),
    "replaced": (
        "Casebridge: your sign-in authenticator app was replaced",
        "The authenticator app for two-step sign-in to your Casebridge account was replaced; "
        "codes from the old app no longer work. This happened",
    ),
}


@task()
def notify_authenticator_changed(*, user_id: int, change: str, at: str) -> int:
    """Email the staff member whose authenticator was set up or replaced, so someone who
    signed in with a stolen password cannot quietly take over the second step. The email names
    no client and carries no secret. Sent once per change, however often the task runs.
    Returns how many emails this run sent."""
    subject, opening = AUTHENTICATOR_CHANGES[change]
    user = get_user_model().objects.filter(pk=user_id).exclude(email="").first()
    if user is None:
        return 0
    local = timezone.localtime(datetime.fromisoformat(at))
    when = f"{local.day} {local:%B %Y at %H:%M %Z}"
    message = EmailMessage(
        subject=subject,
        body=(
            f"{opening} on {when}.\n\n"
            "If this was not you, tell your administrator now.\n\n"
            "Casebridge sends this email to the account's own address whenever its two-step "
            "sign-in changes."
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
    )
    # One email per change: the change is known by who, what and when.
    return int(deliver_once(key=f"authenticator:{user_id}:{change}:{at}", message=message))


@task(takes_context=True)
def send_password_link(context: TaskContext, *, user_id: int, site: str) -> int:
    """Email a staff member a one-time link to set their own password. Nobody else ever sets
    it: an administrator sends the link, the person uses it. `site` is the address the app is
    served from (taken from the administrator's request). The link is made here, from the
    account's current state, so it never rests in the task queue; it stops working once used
    or once the password changes. Sent once per request to send it, however often the task
    runs. Returns how many emails this run sent."""
    from django.contrib.auth.tokens import default_token_generator
    from django.urls import reverse
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    user = get_user_model().objects.filter(pk=user_id, is_active=True).exclude(email="").first()
    if user is None:
        return 0
    path = reverse(
        "password_set",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    message = EmailMessage(
        subject="Casebridge: set your password",
        body=(
            f"Hello {user.get_short_name() or user.username},\n\n"
            f"Use this link to set the password for your Casebridge account ({user.username}):\n"
            f"{site.rstrip('/')}{path}\n\n"
            "The link works once. If you did not expect it, do not use it, and tell your "
            "administrator."
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
    )
    # Each link an administrator sends is its own request, known by the task's own id (the
    # same id on every run of the task).
    key = f"password_link:{context.task_result.id}"
    return int(deliver_once(key=key, message=message))

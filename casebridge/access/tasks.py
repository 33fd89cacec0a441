"""Background work for access: telling supervisors about emergency access."""

from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.tasks import task

from casebridge.accounts.models import Role
from casebridge.background.outbox import deliver_once


@task()
def notify_supervisors_of_break_glass(*, grant_id: int, program_id: int) -> int:
    """Email the program's supervisors. The email names no client: details are in the app.
    Sent once per grant, however often the task runs (casebridge/background/outbox.py).
    Returns how many supervisors this run emailed."""
    supervisors = (
        get_user_model()
        .objects.filter(role=Role.SUPERVISOR, programs=program_id, is_active=True)
        .exclude(email="")
    )
    recipients = sorted({s.email for s in supervisors})
    if not recipients:
        return 0
    message = EmailMessage(
        subject="Casebridge: emergency access was used",
        body=(
            "A staff member used emergency (break-the-glass) access to a client record in a "
            f"program you supervise (access reference {grant_id}).\n\n"
            "Sign in to Casebridge and open Team > Emergency access to review the reason."
        ),
        to=recipients,
    )
    return len(recipients) if deliver_once(key=f"break_glass:{grant_id}", message=message) else 0

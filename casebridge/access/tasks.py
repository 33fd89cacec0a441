"""Background work for access: telling supervisors about emergency access."""

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.tasks import task

from casebridge.accounts.models import Role


@task()
def notify_supervisors_of_break_glass(*, grant_id: int, program_id: int) -> int:
    """Email the program's supervisors. The email names no client: details are in the app."""
    supervisors = (
        get_user_model()
        .objects.filter(role=Role.SUPERVISOR, programs=program_id, is_active=True)
        .exclude(email="")
    )
    recipients = sorted({s.email for s in supervisors})
    if not recipients:
        return 0
    send_mail(
        subject="Casebridge: emergency access was used",
        message=(
            "A staff member used emergency (break-the-glass) access to a client record in a "
            f"program you supervise (access reference {grant_id}).\n\n"
            "Sign in to Casebridge and open Team > Emergency access to review the reason."
        ),
        from_email=None,
        recipient_list=recipients,
    )
    return len(recipients)

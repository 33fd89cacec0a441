"""Emails from background tasks, sent once per event even when the task runs again.

A task can be run twice: its worker died and the task was queued again (database backend), or
RQ retried it. `deliver_once` makes the rerun harmless. The order is:

1. In one short transaction: find or create the EmailDelivery row for the key (locked); if it is
   marked sent, stop (a rerun after a completed send sends nothing); otherwise count the attempt.
2. Hand the message to the mail server, outside any transaction (a slow server must not hold a
   database lock), with the Message-ID kept on the row.
3. Mark the row sent.

A worker that dies before step 2 finishes has sent nothing the mail server accepted, and the
rerun sends. A worker that dies after the mail server accepted the message but before step 3
commits leaves the one window: the rerun sends again, with the same Message-ID, and the row's
`attempts` above 1 (and a warning in the log) says it may have. Email is therefore delivered
to the mail server at least once, and exactly once unless a worker dies in that window of
milliseconds. Two runs of the same task at the same moment are not expected: the queue gives a
task to one worker at a time, and a task is queued again only after its worker stopped
beating (workers.py) or, on RQ, after its work-horse died.
"""

import logging

from django.core.mail import EmailMessage, make_msgid
from django.core.mail.utils import DNS_NAME
from django.db import transaction
from django.utils import timezone

from casebridge.background.models import EmailDelivery

log = logging.getLogger(__name__)


def deliver_once(*, key: str, message: EmailMessage) -> bool:
    """Send `message` unless the email keyed `key` was already sent. True if it was sent now.

    `key` names the event, not the attempt: the same key on every run of the same task (for
    example `break_glass:<grant id>`, or the task result's id when the event has no id)."""
    with transaction.atomic():
        delivery, _ = EmailDelivery.objects.select_for_update().get_or_create(
            key=key, defaults={"message_id": make_msgid(domain=DNS_NAME)}
        )
        if delivery.sent_at is not None:
            log.info("Email %s was already sent; not sending it again", key)
            return False
        delivery.attempts += 1
        delivery.attempted_at = timezone.now()
        delivery.save(update_fields=["attempts", "attempted_at"])
    if delivery.attempts > 1:
        log.warning(
            "Email %s: attempt %d; an earlier attempt stopped before it was marked sent and may "
            "have reached the mail server (the resend carries the same Message-ID)",
            key,
            delivery.attempts,
        )
    message.extra_headers["Message-ID"] = delivery.message_id
    message.send()
    EmailDelivery.objects.filter(pk=delivery.pk, sent_at__isnull=True).update(
        sent_at=timezone.now()
    )
    return True

"""A stand-in mail server for the dying-worker tests (tests/web/test_dying_workers.py).

A worker subprocess uses it through EMAIL_BACKEND=tests.web.mail_gate.EmailBackend. Each email
it accepts becomes one file in MAIL_GATE_DIR, so the test can count what reached "the mail
server". When the file MAIL_GATE_HOLD exists, the first send takes it (renames it to
`<hold>.held`, writing its own process id there) and then hangs before accepting anything, so
the test knows the task is in the middle of sending and which process to kill. Later sends
find no hold file and go straight through.
"""

import os
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.core.mail.backends.base import BaseEmailBackend

HOLD_LIMIT_SECONDS = 120  # nobody came to kill us: give up rather than hang a test run


class EmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[Any]) -> int:
        folder = Path(os.environ["MAIL_GATE_DIR"])
        folder.mkdir(parents=True, exist_ok=True)
        hold = os.environ.get("MAIL_GATE_HOLD")
        if hold:
            _hang_if_held(Path(hold))
        for message in email_messages:
            name = folder / f"{time.time_ns()}-{uuid.uuid4().hex}.eml"
            partial = name.with_suffix(".part")
            partial.write_bytes(message.message().as_bytes())
            partial.rename(name)  # whole files only, so a count never sees half an email
        return len(email_messages)


def _hang_if_held(hold: Path) -> None:
    held = hold.with_name(hold.name + ".held")
    try:
        hold.rename(held)
    except FileNotFoundError:
        return
    held.write_text(str(os.getpid()), encoding="utf-8")
    deadline = time.monotonic() + HOLD_LIMIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(0.05)
    raise TimeoutError("mail gate held for too long; the test never killed this worker")

"""Text messages, through a backend chosen in settings (SMS_BACKEND), as Django does for email.

A backend is a class with `send_messages(messages) -> int` (how many it sent). The console
backend writes them to standard output, for a laptop or a pilot; `LocmemBackend` keeps them in
`outbox` for tests. A real provider plugs in as a small class of the operator's that calls the
provider's API, named by its dotted path. Messages carry a link and a count only, never PHI.
"""

import sys
from dataclasses import dataclass
from typing import ClassVar

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class TextMessage:
    to: str
    body: str


class ConsoleBackend:
    def send_messages(self, messages: list[TextMessage]) -> int:
        for message in messages:
            sys.stdout.write(f"Text message to {message.to}:\n{message.body}\n{'-' * 40}\n")
        sys.stdout.flush()
        return len(messages)


class LocmemBackend:
    outbox: ClassVar[list[TextMessage]] = []

    def send_messages(self, messages: list[TextMessage]) -> int:
        LocmemBackend.outbox.extend(messages)
        return len(messages)


def send(messages: list[TextMessage]) -> int:
    backend = import_string(settings.SMS_BACKEND)()
    return int(backend.send_messages(messages))

"""What the client record does when something it is derived from changes elsewhere: a program's
contact rule, edited in settings, moves the next contact due of every client it applies to."""

from typing import Any

from casebridge.accounts.models import ProgramModelRule
from casebridge.clients.models import Client


def contact_rule_changed(
    sender: type[ProgramModelRule], instance: ProgramModelRule, **_: Any
) -> None:
    Client.objects.filter(
        program_id=instance.program_id, case_management_model=instance.model
    ).refresh_caseload_facts()

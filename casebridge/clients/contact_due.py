"""When a client's next contact is due: the program's rule for the client's model of case
management says how many days may pass after the last contact (after registration, before the
first), and a concluded case expects none.

The database works it out and keeps it on the client row (`Client.next_contact_due_at`), so a
caseload of any size is sorted and filtered by it through an index.
"""

import operator
from collections import defaultdict
from datetime import timedelta
from functools import reduce
from typing import Any

from django.db.models import Case, DateTimeField, F, Q, QuerySet, Value, When
from django.db.models.functions import Cast, Coalesce

from casebridge.accounts.models import ProgramModelRule
from casebridge.clients.stages import Stage


def contact_rules(programs: QuerySet[Any, Any] | None = None) -> dict[tuple[int, str], int]:
    """{(program id, model): days between contacts}, for `programs` (ids) or all, in one query."""
    rules = ProgramModelRule.objects.all()
    if programs is not None:
        rules = rules.filter(program_id__in=programs)
    return {(rule.program_id, rule.model): rule.contact_every_days for rule in rules}


def contact_due_expression(rules: dict[tuple[int, str], int]) -> Case:
    """The next contact due, in SQL, for a client row under `rules` (None when none is due).

    Rules are few (programs times models), so each number of days is one branch adding a
    constant interval: that reads the same on SQLite and PostgreSQL, where multiplying an
    interval by a column would not.
    """
    since = Coalesce(F("last_contact_at"), F("registered_at"))
    # A typed NULL: with no rule at all, an untyped one would read as text on PostgreSQL.
    nothing = Cast(Value(None), DateTimeField())
    programs_by_days: dict[int, list[Q]] = defaultdict(list)
    for (program_id, model), days in sorted(rules.items()):
        programs_by_days[days].append(Q(program_id=program_id, case_management_model=model))
    branches = [
        When(reduce(operator.or_, matches), then=since + timedelta(days=days))
        for days, matches in sorted(programs_by_days.items())
    ]
    return Case(
        When(stage=Stage.CONCLUSION, then=nothing),
        *branches,
        default=nothing,
        output_field=DateTimeField(),
    )

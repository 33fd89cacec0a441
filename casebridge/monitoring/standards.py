"""Contact standards: which contact types count towards a program's contact rule
(accounts.ProgramModelRule: a contact every N days) under each model of case management.

The defaults below follow what each model promises. Intensive case management meets the client
where they are, so only contact in person counts; the other models also count a real
conversation by phone or video. A text, a contact with someone else about the client
(collateral) and an attempt that did not reach the client never count by default: the rule is
about reaching the person. A program may differ, per model, through ContactStandard (set in the
configuration screens).
"""

from collections.abc import Iterable

from casebridge.accounts.models import CaseManagementModel
from casebridge.monitoring.models import ContactStandard, ContactType

IN_PERSON = frozenset({ContactType.FACE_TO_FACE, ContactType.VISIT, ContactType.ACCOMPANIMENT})
IN_PERSON_OR_LIVE = IN_PERSON | {ContactType.PHONE, ContactType.VIDEO}

DEFAULT_COUNTING: dict[str, frozenset[str]] = {
    CaseManagementModel.BROKERAGE: IN_PERSON_OR_LIVE,
    CaseManagementModel.CLINICAL: IN_PERSON_OR_LIVE,
    CaseManagementModel.STRENGTHS: IN_PERSON_OR_LIVE,
    CaseManagementModel.INTENSIVE: IN_PERSON,
}


def counting_types(program_id: int, model: str) -> frozenset[str]:
    """The contact types that count as a contact for a client of this program and model."""
    override = (
        ContactStandard.objects.filter(program_id=program_id, model=model)
        .values_list("counting_types", flat=True)
        .first()
    )
    if override is not None:
        return frozenset(override) - {ContactType.ATTEMPTED}
    return DEFAULT_COUNTING.get(model, IN_PERSON_OR_LIVE)


def labels(types: Iterable[str]) -> list[str]:
    """The types in the order of the list staff choose from, as words."""
    chosen = set(types)
    return [str(label) for value, label in ContactType.choices if value in chosen]

"""Reads of monitoring records that views, the due list and reports share: a client's notes,
coaching sessions and check-ins, the last contact and last attempt, the program's rules, and the
object rules for who changes and co-signs a note."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Max, Min, Q, QuerySet
from django.utils import timezone

from casebridge.access.policy import Action, Principal
from casebridge.accounts.models import Role
from casebridge.clients.extensions import DueItem
from casebridge.clients.models import Client
from casebridge.monitoring.formats import NoteFormat, note_format
from casebridge.monitoring.models import (
    CheckIn,
    CoachingSession,
    ContactNote,
    ContactNoteRules,
    ContactType,
)
from casebridge.monitoring.standards import counting_types
from casebridge.monitoring.statuses import RECORDED, NoteStatus
from casebridge.plans.models import Goal, Responsible
from casebridge.plans.queries import active_goals, task_of

# How many check-ins the chart and its table follow (the newest).
CHART_CHECK_INS = 30


def note_rules(program_id: int) -> ContactNoteRules:
    """The program's rules for notes, or the defaults (unsaved) when it has set none."""
    found = ContactNoteRules.objects.filter(program_id=program_id).first()
    return found or ContactNoteRules(program_id=program_id)


def format_for(client: Client) -> NoteFormat:
    return note_format(note_rules(client.program_id).note_format)


NOTES_SHOWN = 100


def notes_for(client: Client, limit: int = NOTES_SHOWN) -> list[ContactNote]:
    """The client's latest contact notes, newest contact first (content: for those who read
    clinical content only; the views ask the policy before calling this). Older ones stay on the
    timeline, which pages."""
    return list(
        client.contact_notes.select_related("written_by", "cosigned_by").annotate(
            goal_count=Count("goals", distinct=True),
            addendum_count=Count("addenda", distinct=True),
        )[:limit]
    )


def note_of(client: Client, note_id: int) -> ContactNote | None:
    return (
        client.contact_notes.select_related("written_by", "cosigned_by", "plan_task")
        .filter(pk=note_id)
        .first()
    )


def coaching_sessions(client: Client, limit: int = 100) -> list[CoachingSession]:
    return list(client.coaching_sessions.select_related("recorded_by")[:limit])


def check_ins(client: Client, limit: int = 100) -> list[CheckIn]:
    return list(client.check_ins.select_related("recorded_by")[:limit])


def last_check_in(client: Client) -> CheckIn | None:
    return client.check_ins.first()


@dataclass(frozen=True)
class ContactTimes:
    last_contact_at: datetime | None
    last_attempt_at: datetime | None
    counting: frozenset[str]


def contact_times(client: Client) -> ContactTimes:
    """The latest recorded contact of a type that counts for the client's program and model,
    and the latest attempt that did not reach them, from signed notes (one query)."""
    counting = counting_types(client.program_id, client.case_management_model)
    times = ContactNote.objects.filter(client=client, status__in=RECORDED).aggregate(
        contact=Max("contact_at", filter=Q(contact_type__in=counting)),
        attempt=Max("contact_at", filter=Q(contact_type=ContactType.ATTEMPTED)),
    )
    return ContactTimes(times["contact"], times["attempt"], counting)


def goal_choices(client: Client) -> list[Goal]:
    return active_goals(client)


# What a plan task's action suggests as the kind of contact: a step the client or the family
# take is checked in on (often by phone); a provider's step is a collateral contact; the rest is
# work done with the client.
TASK_CONTACT_TYPES: dict[str, str] = {
    Responsible.CLIENT: ContactType.PHONE,
    Responsible.FAMILY: ContactType.PHONE,
    Responsible.PROVIDER: ContactType.COLLATERAL,
}


def from_task(client: Client, task_id: int) -> dict[str, Any] | None:
    """What a note recorded for one of the client's plan tasks starts with: the task, the goal
    of its action in the plan in effect (found by key if the plan has a newer version), the
    kind of contact its action suggests, and now. None for a task not of this client."""
    task = task_of(client, task_id)
    if task is None:
        return None
    task_goal = task.intervention.goal
    goals = [goal for goal in active_goals(client) if goal.key == task_goal.key]
    now = timezone.localtime()
    return {
        "task": task,
        "goal_ids": [goal.pk for goal in goals],
        "contact_type": TASK_CONTACT_TYPES.get(
            task.intervention.responsible, ContactType.FACE_TO_FACE
        ),
        "contact_date": now.date(),
        "contact_time": now.time().replace(second=0, microsecond=0),
    }


def notes_due(client_ids: list[int]) -> dict[int, list[DueItem]]:
    """Notes to finish as due items: a draft before it becomes a late entry, and a signed note
    waiting for a co-signature (one query)."""
    due: dict[int, list[DueItem]] = {}
    rows = (
        ContactNote.objects.filter(
            client_id__in=client_ids,
            status__in=[NoteStatus.DRAFT, NoteStatus.AWAITING_COSIGN],
        )
        .values("client_id", "status")
        .annotate(
            first_contact=Min("contact_at"),
            first_signed=Min("signed_at"),
            late_days=Max("client__program__contact_note_rules__late_after_days"),
            count=Count("id"),
        )
        .order_by()
    )
    for row in rows:
        days = row["late_days"] if row["late_days"] is not None else 3
        if row["status"] == NoteStatus.DRAFT:
            label = (
                "Contact note to sign"
                if row["count"] == 1
                else f"Contact notes to sign ({row['count']})"
            )
            due_on = timezone.localdate(row["first_contact"]) + timedelta(days=days)
        else:
            label = "Note to co-sign" if row["count"] == 1 else f"Notes to co-sign ({row['count']})"
            due_on = timezone.localdate(row["first_signed"]) + timedelta(days=days)
        due.setdefault(row["client_id"], []).append(
            DueItem(label=label, due_on=due_on, url_name="contact_log")
        )
    return due


def _works_with(principal: Principal, client_id: int, action: str) -> bool:
    return (
        Client.objects.restrict(principal.account, action, include_emergency=False)
        .filter(pk=client_id)
        .exists()
    )


def may_edit_note(principal: Principal, note: ContactNote) -> bool:
    """The object rule "monitoring.edit_note": a draft is its writer's, while they still record
    contacts for the client."""
    return note.written_by_id == principal.account.pk and _works_with(
        principal, note.client_id, Action.RECORD_CONTACT
    )


def may_cosign_note(principal: Principal, note: ContactNote) -> bool:
    """The object rule "monitoring.cosign_note": a supervisor of the client's program, who is not
    the note's writer."""
    return (
        principal.role == Role.SUPERVISOR
        and note.written_by_id != principal.account.pk
        and _works_with(principal, note.client_id, Action.RECORD_CONTACT)
    )


def awaiting_cosignature(client: Client) -> QuerySet[ContactNote]:
    return client.contact_notes.filter(status=NoteStatus.AWAITING_COSIGN)

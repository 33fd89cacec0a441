"""Shared steps for monitoring tests: a note's fields, and a note written (and signed)."""

from datetime import timedelta

from django.utils import timezone

from casebridge.monitoring import services


def dap(
    data="Met at the library; looked at two flats.",
    assessment="Motivated and on time.",
    plan="Call the landlord on Friday.",
):
    return {"data": data, "assessment": assessment, "plan": plan}


def note_fields(**overrides):
    fields = {
        "contact_at": timezone.now() - timedelta(hours=2),
        "contact_type": "face_to_face",
        "duration_minutes": 45,
        "place": "Public library",
        "participants": "Jamie and Alice",
        "goal_ids": [],
        "sections": dap(),
    }
    fields.update(overrides)
    return fields


def write_note(client, by, *, sign=False, **overrides):
    return services.note_save(client=client, by=by, sign=sign, **note_fields(**overrides))


def days_ago(days, hours=0):
    return timezone.now() - timedelta(days=days, hours=hours)

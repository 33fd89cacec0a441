"""Every change monitoring records: contact notes and coaching sessions, check-ins, the
calendar's appointments and obligations, drug screens, meetings attended and medications. One
transaction each, checked before saving, audited, put on the timeline with the action needed to
see it.

One module per job; the note services are named here too, so `services.note_save(...)` works:
    notes         contact notes (drafts, signing, co-signing, addenda), coaching sessions,
                  check-ins, and each client's last contact worked out from the notes
    appointments  the calendar: scheduling, repeating series, statuses, follow-up of a missed
                  one, and the obligations a care plan puts on it
    screens       drug screens, their panels and results, lab confirmations
    meetings      mutual-help and recovery meetings attended
    medications   prescriptions, including medication for addiction treatment, and their gaps
"""

from casebridge.monitoring.services.notes import (
    NoteLocked,
    check_in_record,
    coaching_session_record,
    contact_times_refresh,
    note_addendum_add,
    note_cosign,
    note_save,
)

__all__ = [
    "NoteLocked",
    "check_in_record",
    "coaching_session_record",
    "contact_times_refresh",
    "note_addendum_add",
    "note_cosign",
    "note_save",
]

"""Monitoring's pages, one module per tab: notes (the contact log, notes, coaching sessions and
check-ins), calendar (the client's calendar, My calendar and its feed) and recovery (drug
screens, meetings attended and medications)."""

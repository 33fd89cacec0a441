"""Monitoring: contact notes, coaching sessions, check-ins and the contact standards."""

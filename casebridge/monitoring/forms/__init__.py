"""Monitoring's forms, one module per tab as the views: notes, appointments and recovery. The
rules live in the services; a form only turns what was typed into their arguments."""

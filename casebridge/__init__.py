"""Casebridge: case management for addiction recovery."""

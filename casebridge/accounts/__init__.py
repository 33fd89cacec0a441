"""Organisations, programs, staff and their roles."""

"""Clients and their cases: intake, stages, assignment, collaterals, flags and the timeline."""

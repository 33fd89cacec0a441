"""Measurement-based care: standardized instruments defined as data, scored, trended and scheduled."""

"""Synthetic demo and benchmark data across every capability (it may use any app; none uses it)."""

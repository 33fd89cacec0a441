"""Background work for monitoring: keeping repeating appointments made 26 weeks ahead."""

from django.tasks import task

from casebridge.monitoring.services.appointments import series_extend


@task()
def extend_repeating_appointments() -> int:
    """Queued by `casebridge clock` (which `serve` runs); safe to run any number of times and to
    be cut short: each series moves on in its own transaction from the last day it has."""
    return series_extend()

"""Background work for the audit trail: the signed checkpoint `casebridge clock` asks for."""

from django.tasks import task

from casebridge.audit.checkpoints import checkpoint_write


@task()
def write_audit_checkpoint() -> str:
    """Queued by `casebridge clock` every SWEEP_EVERY_MINUTES. Each run writes one more file, so
    a rerun (or a run cut short, which leaves no file) does no harm."""
    return checkpoint_write().path.name

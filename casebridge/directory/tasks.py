"""Background work for the resource directory: importing a file an administrator uploaded."""

from django.tasks import task

from casebridge.directory.services import directory_import_run


@task()
def import_directory_file(*, import_id: int) -> str:
    """Queued when the file is uploaded (and again by a retry). Safe to run any number of times
    and to be cut short: the import and its "done" are one transaction, and a run already done
    is left alone (services.directory_import_run)."""
    run = directory_import_run(import_id=import_id)
    return run.status if run is not None else "nothing to do"

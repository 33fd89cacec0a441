"""The `casebridge` console command: every operator task, wrapping Django's manage.py.

Commands with dashes are accepted too (`casebridge seed-demo` runs `seed_demo`). A database
that cannot be reached, or a DATABASE_URL that is not an address, is said in one line with what
to do, not as a traceback.
"""

import os
import sys
from urllib.parse import urlsplit


def _safe_database_url() -> str:
    """DATABASE_URL as the operator set it, without its password."""
    raw = os.environ.get("DATABASE_URL", "")
    if not raw:
        return "the embedded SQLite database (DATABASE_URL is not set)"
    try:
        parts = urlsplit(raw)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
        user = f"{parts.username}@" if parts.username else ""
        return f"{parts.scheme}://{user}{host}{port}{parts.path}"
    except ValueError:
        return "DATABASE_URL (it could not be read as an address)"


def operator_message(error: BaseException) -> str | None:
    """One line for an operator, or None when the error is a bug and deserves its traceback."""
    from django.core.exceptions import ImproperlyConfigured
    from django.db.utils import InterfaceError, OperationalError

    reason = (str(error).strip().splitlines() or [error.__class__.__name__])[0]
    if isinstance(error, (OperationalError, InterfaceError)):
        return (
            f"Casebridge cannot reach its database at {_safe_database_url()}: {reason}. "
            "Check that the database server is running and that DATABASE_URL (user, password, "
            "host, port, database name) is right."
        )
    if isinstance(error, (ImproperlyConfigured, ValueError, KeyError)) and os.environ.get(
        "DATABASE_URL"
    ):
        import dj_database_url

        try:
            dj_database_url.parse(os.environ["DATABASE_URL"])
        except Exception:  # any failure to read it is the operator's to fix
            return (
                f"DATABASE_URL is not a database address Casebridge understands ({reason}). "
                "Use sqlite:///path/to/file.sqlite3 or postgres://user:password@host:5432/name."
            )
    return None


# Commands that serve or work for a long time: the database is checked before they start.
LONG_RUNNING = {"serve", "clock", "db_worker", "rqworker"}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casebridge.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv)
    argv[0] = "casebridge"
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    try:
        if len(argv) > 1 and argv[1] in LONG_RUNNING:
            # These start other processes and would fail later, one traceback each: look first.
            import django
            from django.db import connection

            django.setup()
            connection.ensure_connection()
        execute_from_command_line(argv)
    except Exception as error:  # one line for what an operator can fix; a traceback otherwise
        message = operator_message(error)
        if message is None:
            raise
        sys.stderr.write(message + "\n")
        sys.exit(2)


if __name__ == "__main__":
    main()

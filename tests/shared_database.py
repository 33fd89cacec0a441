"""The test database as a subprocess (a worker, `serve`) can reach it: a file copy of SQLite's
in-memory test database, or the PostgreSQL test database as it is."""

import sqlite3
from pathlib import Path

from django.db import connection


class SharedDatabase:
    """The test database as a subprocess (a worker, `serve`) can reach it; tests take it through
    the `shared_database` fixture."""

    def __init__(self, tmp_path: Path) -> None:
        settings_dict = connection.settings_dict
        if connection.vendor == "sqlite":
            # pytest-django keeps SQLite test databases in memory: hand the worker a file copy,
            # and copy it back to look at what the worker did.
            self.file: Path | None = tmp_path / "shared.sqlite3"
            self.url = f"sqlite:///{self.file}"
        else:
            self.file = None
            password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
            self.url = (
                f"postgres://{settings_dict['USER']}{password}@{settings_dict['HOST'] or 'localhost'}"
                f":{settings_dict['PORT'] or 5432}/{settings_dict['NAME']}"
            )

    def push(self) -> None:
        if self.file is not None:
            connection.ensure_connection()
            target = sqlite3.connect(self.file)
            connection.connection.backup(target)
            target.close()

    def pull(self) -> None:
        if self.file is not None:
            source = sqlite3.connect(self.file)
            connection.ensure_connection()
            source.backup(connection.connection)
            source.close()

"""Backing up and restoring a whole installation: the database, the uploaded files (consent
scans and directory import files, outside the database) and the audit trail's checkpoints, with
a manifest that lets a restore prove it brought everything back.

Uploads are read and written through Django's storage API, so the same code covers files under
MEDIA_ROOT (FILE_STORAGE=filesystem) and objects in an S3 bucket (FILE_STORAGE=s3): a backup
downloads every stored file into uploads/, a restore removes what the store holds (under
S3_PREFIX, for S3) and uploads the backup's files under their own names.

A backup is a directory:
    manifest.json          when, which database, row counts per table, sha256 of every file
    database.pgdump        PostgreSQL: pg_dump's custom format (restored with pg_restore)
    database.sqlite3       SQLite: a consistent copy made with SQLite's backup API
    uploads/               every uploaded file as the storage held it, by its stored name
    audit-checkpoints/     the audit trail's checkpoints, when the installation writes them
"""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.db import connection
from django.utils import timezone

MANIFEST = "manifest.json"
FORMAT_VERSION = 1


class BackupError(Exception):
    """Something an operator can fix, said in plain words."""


@dataclass
class RestoreReport:
    tables_checked: int = 0
    files_checked: int = 0
    problems: list[str] = field(default_factory=list)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _files(root: Path) -> dict[str, str]:
    if not root.is_dir():
        return {}
    return {
        path.relative_to(root).as_posix(): _sha256(path)
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def _stored_names(storage: Storage, folder: str = "") -> list[str]:
    """Every file the storage holds, by the name a FileField keeps."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:  # MEDIA_ROOT not made yet: nothing was ever uploaded
        return []
    names = [f"{folder}/{name}" if folder else name for name in files]
    for sub in folders:
        names.extend(_stored_names(storage, f"{folder}/{sub}" if folder else sub))
    return sorted(names)


def _stored_files(storage: Storage) -> dict[str, str]:
    found = {}
    for name in _stored_names(storage):
        digest = hashlib.sha256()
        with storage.open(name, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        found[name] = digest.hexdigest()
    return found


def _uploads_backup(storage: Storage, target: Path) -> dict[str, str]:
    """Copy every stored file into `target`; returns each name's sha256."""
    copied = {}
    for name in _stored_names(storage):
        path = target / name
        path.parent.mkdir(parents=True, exist_ok=True)
        with storage.open(name, "rb") as handle, path.open("wb") as out:
            shutil.copyfileobj(handle, out, 1 << 20)
        copied[name] = _sha256(path)
    return copied


def _uploads_restore(storage: Storage, source: Path) -> None:
    """Make the storage hold exactly the files under `source`, by the same names."""
    for name in _stored_names(storage):
        storage.delete(name)
    for name in sorted(_files(source)):
        with (source / name).open("rb") as handle:
            saved = storage.save(name, File(handle, name=name))
        if saved != name:
            raise BackupError(f"The uploaded file {name} was stored as {saved}.")


def _row_counts() -> dict[str, int]:
    return {
        model._meta.db_table: model._default_manager.using("default").count()
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }


def _checkpoint_dir() -> Path | None:
    configured = getattr(settings, "AUDIT_CHECKPOINT_DIR", None)
    return Path(configured) if configured else None


def _pg_environment() -> tuple[list[str], dict[str, str]]:
    """Connection options for pg_dump/pg_restore from Django's own settings (password by
    environment, never on the command line)."""
    db = connection.settings_dict
    args = ["--dbname", db["NAME"]]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    tool = command[0]
    if shutil.which(tool) is None:
        raise BackupError(f"{tool} is not installed; install PostgreSQL's client tools.")
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        first = (result.stderr.strip().splitlines() or ["no message"])[-1]
        raise BackupError(f"{tool} failed: {first}")


def backup(destination: Path) -> dict[str, Any]:
    """Write a backup of this installation into `destination` (a new or empty directory)."""
    if destination.exists() and any(destination.iterdir()):
        raise BackupError(f"{destination} is not empty; choose a new directory for the backup.")
    destination.mkdir(parents=True, exist_ok=True)
    connection.ensure_connection()
    vendor = connection.vendor
    if vendor == "postgresql":
        args, env = _pg_environment()
        _run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--file",
                str(destination / "database.pgdump"),
                *args,
            ],
            env,
        )
    elif vendor == "sqlite":
        target = sqlite3.connect(destination / "database.sqlite3")
        try:
            connection.connection.backup(target)
        finally:
            target.close()
    else:
        raise BackupError(f"Backing up a {vendor} database is not supported.")
    uploads = _uploads_backup(default_storage, destination / "uploads")
    checkpoints = _checkpoint_dir()
    if checkpoints is not None and checkpoints.is_dir():
        shutil.copytree(checkpoints, destination / "audit-checkpoints")
    manifest = {
        "format": FORMAT_VERSION,
        "made_at": timezone.now().isoformat(),
        "database": vendor,
        "tables": _row_counts(),
        "uploads": uploads,
        "audit_checkpoints": _files(checkpoints) if checkpoints is not None else {},
    }
    (destination / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True))
    return manifest


def _read_manifest(source: Path) -> dict[str, Any]:
    try:
        manifest: dict[str, Any] = json.loads((source / MANIFEST).read_text())
    except FileNotFoundError:
        raise BackupError(f"{source} has no {MANIFEST}: it is not a Casebridge backup.") from None
    if manifest.get("format") != FORMAT_VERSION:
        raise BackupError("This backup was made by a version of Casebridge this one cannot read.")
    return manifest


def _replace_tree(source: Path, target: Path) -> None:
    if target.exists():
        shutil.rmtree(target)
    if source.is_dir():
        shutil.copytree(source, target)


def restore(source: Path) -> RestoreReport:
    """Put a backup back: database, uploads and checkpoints; then verify all of it."""
    manifest = _read_manifest(source)
    connection.ensure_connection()
    vendor = connection.vendor
    if manifest["database"] != vendor:
        raise BackupError(
            f"The backup holds a {manifest['database']} database but DATABASE_URL points at "
            f"{vendor}; restore into the same kind of database."
        )
    if vendor == "postgresql":
        args, env = _pg_environment()
        connection.close()
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                *args,
                str(source / "database.pgdump"),
            ],
            env,
        )
    else:
        saved = sqlite3.connect(source / "database.sqlite3")
        try:
            saved.backup(connection.connection)
        finally:
            saved.close()
        from casebridge.clients import name_search

        # A backup from before the search's trigram table had none: make and fill it.
        name_search.install(connection)
    _uploads_restore(default_storage, source / "uploads")
    checkpoints = _checkpoint_dir()
    if checkpoints is not None and (source / "audit-checkpoints").is_dir():
        _replace_tree(source / "audit-checkpoints", checkpoints)
    return verify(manifest)


def verify(manifest: dict[str, Any]) -> RestoreReport:
    """Compare the installation with a backup's manifest and check the audit trail."""
    from casebridge.audit.services import audit_verify

    report = RestoreReport()
    counts = _row_counts()
    for table, expected in sorted(manifest["tables"].items()):
        report.tables_checked += 1
        found = counts.get(table)
        if found != expected:
            report.problems.append(f"table {table}: {found} rows, the backup had {expected}")
    restored = _stored_files(default_storage)
    for name, digest in sorted(manifest["uploads"].items()):
        report.files_checked += 1
        if restored.get(name) != digest:
            report.problems.append(f"uploaded file {name} is missing or differs")
    report.problems.extend(f"audit trail: {problem}" for problem in audit_verify())
    return report

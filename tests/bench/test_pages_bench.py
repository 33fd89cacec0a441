"""The page benchmark, run small so it cannot rot: it builds a database of 200 generated
clients, fetches every page in-process and over HTTP from gunicorn, and reports each against
the floor. Its figures are not judged here (timing belongs to the full runs); that every page
answers, and is counted, is."""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db  # only to know which database the suite runs on


def test_the_page_benchmark_runs_small_on_this_database(tmp_path):
    command = [
        sys.executable,
        str(ROOT / "bench" / "pages.py"),
        "--sizes",
        "200",
        "--repeat",
        "1",
        "--rounds",
        "1",
        "--http",
        "--workers",
        "1",
        "--json",
        str(tmp_path / "figures.json"),
    ]
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    if connection.vendor == "postgresql":
        settings = connection.settings_dict
        name = f"cbg_bench_smoke_{uuid.uuid4().hex[:8]}"
        command += [
            "--database-url",
            f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:"
            f"{settings['PORT'] or 5432}/{name}",
        ]
    else:
        command += ["--folder", str(tmp_path)]
    try:
        done = subprocess.run(
            command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=900
        )
    finally:
        if connection.vendor == "postgresql":
            subprocess.run(
                [
                    "dropdb",
                    "--if-exists",
                    "-h",
                    settings["HOST"] or "127.0.0.1",
                    "-U",
                    settings["USER"],
                    f"{name}_200",
                ],
                capture_output=True,
            )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    figures = json.loads((tmp_path / "figures.json").read_text())["200"]
    pages = figures["pages"]
    assert figures["clients"] == 200
    assert "floor" in pages and len(pages) > 20
    for name, row in pages.items():
        assert row["queries"] > 0, name
        assert row["median"] > 0 and row["http"] > 0, name
    # The floor is the least a signed-in page costs: nothing measured here costs fewer queries.
    assert all(row["queries"] >= pages["floor"]["queries"] for row in pages.values())
    assert "x floor" in done.stdout

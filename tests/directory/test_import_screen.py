"""Importing and exporting the directory from the screen: for the agency's administrators only;
the import runs in the background, shows how far it has got, and ends with its full report; a
worker killed in the middle leaves nothing half imported, and the run can go again."""

import csv
import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from casebridge.accounts.models import Role
from casebridge.audit.models import AuditEvent
from casebridge.directory import services
from casebridge.directory.hsds import importing
from casebridge.directory.models import (
    DirectoryImport,
    ImportStatus,
    Location,
    Provider,
    Service,
    ServiceAtLocation,
)
from tests.directory.builders import SERVICE, directory_document, uid, write
from tests.factories import StaffFactory


@pytest.fixture
def ada(world):
    return world.ada


@pytest.fixture
def other_admin(world):
    return StaffFactory(
        username="otis", organisation=world.other_org, role=Role.ADMIN, is_staff=True
    )


def upload(document, name="directory.json"):
    return SimpleUploadedFile(name, json.dumps(document).encode(), "application/json")


def post_file(client, document, *, dry_run=False, strict=False, name="directory.json"):
    data = {"file": upload(document, name)}
    if dry_run:
        data["dry_run"] = "on"
    if strict:
        data["strict"] = "on"
    return client.post(reverse("directory_imports"), data)


@pytest.fixture
def signed_in_ada(client, ada, django_capture_on_commit_callbacks):
    client.force_login(ada)
    return client


def imported(client, capture, document, **options):
    """Upload as the administrator; the task runs when the upload commits."""
    with capture(execute=True):
        response = post_file(client, document, **options)
    assert response.status_code == 302, response.content.decode()[:2000]
    return DirectoryImport.objects.get(pk=int(response.url.rstrip("/").rsplit("/", 1)[1]))


def test_an_upload_is_imported_in_the_background_and_its_report_shown(
    signed_in_ada, django_capture_on_commit_callbacks, world
):
    run = imported(
        signed_in_ada,
        django_capture_on_commit_callbacks,
        directory_document(3, places=[(39.76, -84.19), None]),
    )
    assert run.status == ImportStatus.DONE and run.attempts == 1
    assert Service.objects.filter(organisation=world.org).count() == 3
    assert run.report["totals"] == {"added": 8, "changed": 0, "unchanged": 0, "rejected": 0}
    page = signed_in_ada.get(reverse("directory_import", args=[run.pk])).content.decode()
    assert "Imported" in page and "8 added, 0 changed, 0 unchanged, 0 rejected." in page
    assert "hx-trigger" not in page  # finished: the page stops asking
    event = AuditEvent.objects.filter(object_type="directory_import").get()
    assert event.actor == world.ada and event.organisation_id == world.org.pk
    assert event.changes["file"] == "directory.json" and event.changes["added"] == 8
    assert event.changes["written"] is True and event.action == "update"


def test_the_upload_is_not_imported_in_the_request(signed_in_ada, world):
    # Without the commit (no worker yet), the run waits and the directory is as it was.
    response = post_file(signed_in_ada, directory_document(2))
    run = DirectoryImport.objects.get()
    assert response.url == reverse("directory_import", args=[run.pk])
    assert run.status == ImportStatus.QUEUED and Service.objects.count() == 0
    page = signed_in_ada.get(response.url).content.decode()
    assert "Waiting to start" in page and 'hx-trigger="every 2s"' in page


def test_a_dry_run_changes_nothing_and_says_what_would_change(
    signed_in_ada, django_capture_on_commit_callbacks, world
):
    run = imported(
        signed_in_ada, django_capture_on_commit_callbacks, directory_document(4), dry_run=True
    )
    assert run.status == ImportStatus.DONE and Service.objects.count() == 0
    assert run.report["dry_run"] and not run.report["written"]
    assert run.report["counts"]["service"]["added"] == 4
    page = signed_in_ada.get(reverse("directory_import", args=[run.pk])).content.decode()
    assert "Dry run finished: nothing was changed" in page and "It would add 5" in page
    assert AuditEvent.objects.get(object_type="directory_import").action == "view"


def test_every_rejected_row_and_missing_reference_is_reported_by_file_row_and_field(
    signed_in_ada, django_capture_on_commit_callbacks
):
    document = directory_document(2)
    document["service"][1]["status"] = 7  # not a string
    document["service"][0]["program_id"] = uid(9, 9)  # no such program
    run = imported(signed_in_ada, django_capture_on_commit_callbacks, document)
    assert run.status == ImportStatus.DONE
    assert {(p["file"], p["row"], p["field"]) for p in run.report["rejected"]} == {
        ("directory.json", "service[1]", "status")
    }
    assert [(p["row"], p["field"]) for p in run.report["missing_references"]] == [
        ("service[0]", "program_id")
    ]
    assert Service.objects.count() == 1  # the good row is in
    page = signed_in_ada.get(reverse("directory_import", args=[run.pk])).content.decode()
    assert "Rejected rows: 1" in page and "directory.json, service[1], status" in page
    assert "Missing references: 1" in page and "service[0], program_id" in page
    problems = signed_in_ada.get(reverse("directory_import_problems", args=[run.pk]))
    rows = list(csv.reader(io.StringIO(problems.content.decode())))
    assert rows[0] == ["kind", "file", "row", "field", "problem"]
    assert {row[0] for row in rows[1:]} == {"rejected", "missing reference"}


def test_a_strict_import_with_a_problem_imports_nothing(
    signed_in_ada, django_capture_on_commit_callbacks
):
    document = directory_document(3)
    document["service"][2]["status"] = 7
    run = imported(signed_in_ada, django_capture_on_commit_callbacks, document, strict=True)
    assert run.status == ImportStatus.DONE and not run.report["written"]
    assert Service.objects.count() == 0 and Provider.objects.count() == 0
    page = signed_in_ada.get(reverse("directory_import", args=[run.pk])).content.decode()
    assert "Nothing imported" in page and "1 rejected row" in page


def test_progress_is_recorded_on_the_run_as_rows_are_checked(
    signed_in_ada, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(services, "PROGRESS_EVERY", 2)
    seen = []
    record_progress = services._record_progress

    def watched(run_id):
        record = record_progress(run_id)

        def spy(stage, done, total):
            record(stage, done, total)
            seen.append(
                DirectoryImport.objects.values_list("stage", "rows_done", "rows_total").get(
                    pk=run_id
                )
            )

        return spy

    monkeypatch.setattr(services, "_record_progress", watched)
    imported(signed_in_ada, django_capture_on_commit_callbacks, directory_document(5))
    checking = [row for row in seen if row[0] == "checking"]
    assert checking[0] == ("checking", 0, 6) and checking[-1] == ("checking", 6, 6)
    assert [done for _, done, _ in checking] == sorted(done for _, done, _ in checking)
    assert len(checking) >= 4
    assert ("writing", 0, 6) in seen


def test_the_status_part_shows_a_running_import_as_a_progress_bar(signed_in_ada, world):
    run = DirectoryImport.objects.create(
        organisation=world.org,
        uploaded_by=world.ada,
        file="directory-imports/x.json",
        file_name="big.json",
        status=ImportStatus.RUNNING,
        stage="checking",
        rows_done=4000,
        rows_total=10000,
    )
    part = signed_in_ada.get(reverse("directory_import_status", args=[run.pk])).content.decode()
    assert 'value="4000" max="10000"' in part and "4000 of 10000 rows checked" in part
    status_url = reverse("directory_import_status", args=[run.pk])
    assert f'hx-get="{status_url}"' in part


class WorkerKilled(BaseException):
    """What a killed worker looks like from inside: the run stops where it is."""


def test_a_worker_killed_midway_leaves_nothing_and_the_run_goes_again(
    signed_in_ada, django_capture_on_commit_callbacks, monkeypatch, world
):
    response = post_file(signed_in_ada, directory_document(6, places=[(39.7, -84.2)] * 6))
    run = DirectoryImport.objects.get(pk=int(response.url.rstrip("/").rsplit("/", 1)[1]))
    real_bulk_create = Location.objects.bulk_create

    def killed(*args, **kwargs):
        raise WorkerKilled

    # Providers and services are written by then; the locations are where it dies.
    monkeypatch.setattr(Location.objects, "bulk_create", killed)
    with pytest.raises(WorkerKilled):
        services.directory_import_run(import_id=run.pk)
    run.refresh_from_db()
    assert run.status == ImportStatus.RUNNING and run.attempts == 1
    assert Provider.objects.count() == Service.objects.count() == Location.objects.count() == 0
    assert not AuditEvent.objects.filter(object_type="directory_import").exists()

    # The worker's task is queued again (casebridge/background): it starts over and finishes.
    monkeypatch.setattr(Location.objects, "bulk_create", real_bulk_create)
    services.directory_import_run(import_id=run.pk)
    run.refresh_from_db()
    assert run.status == ImportStatus.DONE and run.attempts == 2
    assert Service.objects.count() == 6 and ServiceAtLocation.objects.count() == 6

    # Run once more (a second worker, a duplicate task): nothing changes.
    assert services.directory_import_run(import_id=run.pk) is None
    run.refresh_from_db()
    assert run.attempts == 2 and Service.objects.count() == 6
    assert AuditEvent.objects.filter(object_type="directory_import").count() == 1


def test_a_run_that_finds_its_import_done_meanwhile_writes_nothing(
    signed_in_ada, monkeypatch, world
):
    response = post_file(signed_in_ada, directory_document(2))
    run_id = int(response.url.rstrip("/").rsplit("/", 1)[1])
    real_write = importing.import_write

    def another_worker_finished_first(**kwargs):
        report = real_write(**kwargs)
        DirectoryImport.objects.filter(pk=run_id).update(status=ImportStatus.DONE)
        return report

    monkeypatch.setattr(services, "import_write", another_worker_finished_first)
    assert services.directory_import_run(import_id=run_id) is None
    assert Service.objects.count() == 0


def test_a_file_that_is_not_hsds_fails_plainly_and_may_go_again(
    signed_in_ada, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in_ada.post(
            reverse("directory_imports"),
            {"file": SimpleUploadedFile("broken.zip", b"PK\x03\x04 not really a zip")},
        )
    run = DirectoryImport.objects.get()
    assert response.status_code == 302 and run.status == ImportStatus.FAILED
    assert "not a zip archive" in run.failure
    page = signed_in_ada.get(reverse("directory_import", args=[run.pk])).content.decode()
    assert "The import failed" in page and "Run it again" in page
    with django_capture_on_commit_callbacks(execute=True):
        signed_in_ada.post(reverse("directory_import_retry", args=[run.pk]))
    run.refresh_from_db()
    assert run.status == ImportStatus.FAILED and run.attempts == 2


def test_a_file_that_is_neither_json_nor_zip_is_refused_beside_the_field(signed_in_ada):
    response = signed_in_ada.post(
        reverse("directory_imports"), {"file": SimpleUploadedFile("notes.txt", b"hello")}
    )
    assert response.status_code == 400
    assert "neither a JSON file nor a zip archive" in response.content.decode()
    assert not DirectoryImport.objects.exists()


def test_a_zip_of_csv_files_is_imported(signed_in_ada, django_capture_on_commit_callbacks, world):
    client = signed_in_ada
    response = client.post(reverse("directory_export"), {"format": "csv"})
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert "datapackage.json" in archive.namelist() and "services.csv" in archive.namelist()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("directory_imports"),
            {"file": SimpleUploadedFile("export.zip", response.content, "application/zip")},
        )
    run = DirectoryImport.objects.get()
    assert run.status == ImportStatus.DONE and run.report["totals"]["rejected"] == 0


def test_the_export_downloads_the_directory_as_json_and_is_audited(
    signed_in_ada, django_capture_on_commit_callbacks, world
):
    imported(signed_in_ada, django_capture_on_commit_callbacks, directory_document(2))
    response = signed_in_ada.post(reverse("directory_export"), {"format": "json"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="directory-')
    tables = json.loads(response.content)
    assert sorted(s["id"] for s in tables["service"]) == [uid(SERVICE, 0), uid(SERVICE, 1)]
    event = AuditEvent.objects.filter(action="export").get()
    assert event.actor == world.ada and event.changes["format"] == "json"


@pytest.mark.parametrize("person", ["alice", "sue", "ivy", "aud", "charlie"])
def test_only_the_agencys_administrators_import_and_export(client, world, person):
    run = DirectoryImport.objects.create(
        organisation=world.org, uploaded_by=world.ada, file="x.json", file_name="x.json"
    )
    client.force_login(getattr(world, person))
    for name, args in (
        ("directory_imports", []),
        ("directory_import", [run.pk]),
        ("directory_import_status", [run.pk]),
        ("directory_import_problems", [run.pk]),
    ):
        assert client.get(reverse(name, args=args)).status_code == 404, name
    assert client.post(reverse("directory_export"), {"format": "json"}).status_code == 404
    assert client.post(reverse("directory_import_retry", args=[run.pk])).status_code == 404
    assert post_file(client, directory_document(1)).status_code == 404
    assert not AuditEvent.objects.filter(action="export").exists()


def test_another_agencys_administrator_cannot_see_the_run(client, world, other_admin):
    run = DirectoryImport.objects.create(
        organisation=world.org, uploaded_by=world.ada, file="x.json", file_name="x.json"
    )
    client.force_login(other_admin)
    assert client.get(reverse("directory_imports")).status_code == 200
    assert "x.json" not in client.get(reverse("directory_imports")).content.decode()
    assert client.get(reverse("directory_import", args=[run.pk])).status_code == 404
    assert client.get(reverse("directory_import_status", args=[run.pk])).status_code == 404
    assert client.post(reverse("directory_import_retry", args=[run.pk])).status_code == 404


def test_the_command_line_import_is_audited_too(world, tmp_path):
    path = write(tmp_path, directory_document(2), "from-the-command.json")
    services.directory_import(organisation=world.org, path=path)
    event = AuditEvent.objects.get(object_type="directory_import")
    assert event.actor is None and event.organisation_id == world.org.pk
    assert event.changes["file"] == "from-the-command.json" and event.changes["via"] == "command"
    assert event.changes["added"] == 3

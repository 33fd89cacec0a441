"""An administrator uploads an HSDS file on the directory's import page, watches the import's
progress while a background worker runs it, and reads its report; the pages pass the
automated WCAG checks, on a phone too."""

import json
import re

import pytest
from playwright.sync_api import expect

from casebridge.directory import services
from casebridge.directory.models import DirectoryImport, Service
from tests.browser.test_accessibility import axe_page, open_page, violations  # noqa: F401
from tests.browser.test_journey import sign_in
from tests.directory.builders import directory_document

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def no_worker_yet(settings):
    """Tasks are queued and left for the worker, which the test plays when it chooses."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


def test_an_administrator_uploads_a_file_and_watches_it_import(
    page, live_server, world, tmp_path, no_worker_yet
):
    document = directory_document(12, places=[(39.76, -84.19)] * 12)
    document["service"][3]["status"] = "closed for now"  # not one of HSDS's statuses
    upload = tmp_path / "miami-valley.json"
    upload.write_text(json.dumps(document))

    sign_in(page, live_server, "ada")
    page.goto(f"{live_server.url}/directory/imports/")
    expect(page.get_by_role("heading", name="Directory import and export")).to_be_visible()
    page.get_by_label("HSDS file").set_input_files(str(upload))
    page.get_by_role("button", name="Upload and import").click()

    expect(page.get_by_role("heading", name="Import of miami-valley.json")).to_be_visible()
    expect(page.get_by_role("heading", name="Waiting to start")).to_be_visible()
    assert Service.objects.count() == 0

    # The worker picks it up; the page, asking every two seconds, follows it to the end.
    run = DirectoryImport.objects.get()
    services.directory_import_run(import_id=run.pk)
    expect(page.get_by_role("heading", name="Imported")).to_be_visible(timeout=8_000)
    expect(page.get_by_role("status")).to_contain_text(re.compile(r"36 added, 0 changed"))
    expect(page.get_by_role("heading", name="Rejected rows: 1")).to_be_visible()
    expect(page.get_by_text("miami-valley.json, service[3], status")).to_be_visible()
    assert Service.objects.count() == 11
    page.screenshot(path="/tmp/directory_import.png", full_page=True, caret="initial")
    assert page.console_errors == []


def test_the_progress_bar_moves_while_rows_are_checked(page, live_server, world, no_worker_yet):
    run = DirectoryImport.objects.create(
        organisation=world.org,
        uploaded_by=world.ada,
        file="directory-imports/big.json",
        file_name="big.json",
        status="running",
        stage="checking",
        rows_done=2500,
        rows_total=10000,
    )
    sign_in(page, live_server, "ada")
    page.goto(f"{live_server.url}/directory/imports/{run.pk}/")
    expect(page.get_by_text("2500 of 10000 rows checked.")).to_be_visible()
    expect(page.locator("progress")).to_have_attribute("value", "2500")
    DirectoryImport.objects.filter(pk=run.pk).update(rows_done=7500)
    expect(page.get_by_text("7500 of 10000 rows checked.")).to_be_visible(timeout=8_000)
    assert page.console_errors == []


@pytest.mark.parametrize("width", [390, 1280])
def test_the_import_pages_pass_the_wcag_checks(axe_page, live_server, world, width):  # noqa: F811
    axe_page.set_viewport_size({"width": width, "height": 844})
    run = DirectoryImport.objects.create(
        organisation=world.org,
        uploaded_by=world.ada,
        file="directory-imports/x.json",
        file_name="x.json",
        status="done",
        report={
            "written": True,
            "totals": {"added": 3, "changed": 0, "unchanged": 0, "rejected": 1},
            "counts": {"service": {"added": 3, "changed": 0, "unchanged": 0, "rejected": 1}},
            "rejected": [
                {"file": "x.json", "row": "service[1]", "field": "status", "message": "is bad"}
            ],
            "missing_references": [],
        },
    )
    sign_in(axe_page, live_server, "ada")
    open_page(axe_page, f"{live_server.url}/directory/imports/", "Directory import and export")
    assert violations(axe_page) == []
    open_page(axe_page, f"{live_server.url}/directory/imports/{run.pk}/", "Import of x.json")
    assert violations(axe_page) == []


def test_a_search_from_a_clients_record_shows_distances_and_passes_the_wcag_checks(
    axe_page,  # noqa: F811
    live_server,
    world,
    tmp_path,
):
    from casebridge.directory.services import directory_import
    from tests.directory.builders import write

    document = directory_document(3, places=[(39.7594, -84.2091), (39.6895, -84.1688), None])
    directory_import(organisation=world.org, path=write(tmp_path, document))
    world.client.address = "1200 W Third St, Dayton, OH 45402"
    world.client.save()
    axe_page.set_viewport_size({"width": 390, "height": 844})
    sign_in(axe_page, live_server, "alice")
    open_page(
        axe_page, f"{live_server.url}/directory/?client={world.client.pk}", "Resource directory"
    )
    expect(axe_page.get_by_text("Under a mile away")).to_be_visible()
    expect(axe_page.get_by_text("About 5 miles away")).to_be_visible()
    expect(axe_page.get_by_text("Distance unavailable: no map location")).to_be_visible()
    axe_page.screenshot(path="/tmp/directory_distance.png", full_page=True, caret="initial")
    assert violations(axe_page) == []

"""A backup brings back everything: the database, the uploaded consent scans (which live on
disk, outside the database) and what proves the audit trail, and a restore checks it did."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from casebridge.clients.models import Collateral
from casebridge.consents.models import Consent
from casebridge.web.backup import MANIFEST
from tests.factories import ConsentFactory

SCAN = b"%PDF-1.4 signed consent form"


@pytest.fixture
def installation(transactional_db, world):
    """Committed data (a backup sees only what is committed), with a scan on disk."""
    consent = ConsentFactory(
        client=world.client,
        signature_method="uploaded",
        signature_scan=SimpleUploadedFile("signed.pdf", SCAN, content_type="application/pdf"),
        created_by=world.alice,
    )
    Collateral.objects.create(client=world.client, name="Pat Rivera", relationship="family")
    world.consent = consent
    return world


def test_a_restore_brings_back_rows_and_scans_and_proves_it(installation, tmp_path, client):
    world = installation
    call_command("backup", str(tmp_path / "backup"))
    assert (tmp_path / "backup" / MANIFEST).exists()
    # After the backup, things go wrong: a contact is removed and the scan is lost from disk.
    Collateral.objects.all().delete()
    scan_path = world.consent.signature_scan.path
    Consent.objects.get(pk=world.consent.pk).signature_scan.storage.delete(
        world.consent.signature_scan.name
    )
    call_command("restore", str(tmp_path / "backup"), yes=True)
    connection.close()
    assert Collateral.objects.filter(name="Pat Rivera").count() == 1
    with open(scan_path, "rb") as restored:
        assert restored.read() == SCAN
    client.force_login(world.alice)
    url = reverse(
        "consent_scan", kwargs={"client_id": world.client.pk, "consent_id": world.consent.pk}
    )
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == SCAN


def test_a_restore_that_does_not_match_its_manifest_says_so(installation, tmp_path):
    import json

    call_command("backup", str(tmp_path / "backup"))
    manifest_path = tmp_path / "backup" / MANIFEST
    manifest = json.loads(manifest_path.read_text())
    manifest["tables"]["clients_collateral"] += 1
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(CommandError, match="does not match"):
        call_command("restore", str(tmp_path / "backup"), yes=True)


def test_a_backup_never_overwrites_an_earlier_one(installation, tmp_path):
    call_command("backup", str(tmp_path / "backup"))
    with pytest.raises(CommandError, match="not empty"):
        call_command("backup", str(tmp_path / "backup"))


def test_a_directory_that_is_not_a_backup_is_refused(transactional_db, tmp_path):
    with pytest.raises(CommandError, match="not a Casebridge backup"):
        call_command("restore", str(tmp_path), yes=True)

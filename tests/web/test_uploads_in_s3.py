"""With FILE_STORAGE=s3 the uploads (consent scans, directory import files) live in an
S3-compatible store, private and encrypted, and every instance reads them back through the
app's own view. The store here is a real moto_server on a free port: an S3 round trip over HTTP,
started and stopped by the tests, nothing kept on this machine's disk."""

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as BrowserClient
from django.urls import reverse

from casebridge.consents.models import Consent
from casebridge.directory.models import ImportStatus, Service
from tests.directory.builders import directory_document
from tests.directory.test_import_screen import imported
from tests.web.fresh_settings import settings_from

BUCKET = "casebridge-uploads"
SCAN = b"%PDF-1.4\n% a signed consent form\n%%EOF\n"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def s3_endpoint():
    """A moto_server for this module, with an empty private bucket."""
    import boto3

    executable = shutil.which("moto_server", path=str(Path(sys.executable).parent))
    assert executable, "moto_server is installed with the dev extras (pip install -e '.[dev]')"
    port = _free_port()
    server = subprocess.Popen(
        [executable, "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("moto_server did not start") from None
                time.sleep(0.2)
        s3 = boto3.client(
            "s3",
            endpoint_url=endpoint,
            aws_access_key_id="test",
            aws_secret_access_key="test",
            region_name="us-east-1",
        )
        s3.create_bucket(Bucket=BUCKET)
        yield endpoint, s3
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def s3_storage(s3_endpoint, settings, monkeypatch, tmp_path):
    endpoint, s3 = s3_endpoint
    configured = settings_from(
        monkeypatch,
        tmp_path,
        FILE_STORAGE="s3",
        S3_BUCKET=BUCKET,
        S3_ENDPOINT_URL=endpoint,
        S3_ACCESS_KEY_ID="test",
        S3_SECRET_ACCESS_KEY="test",
        S3_REGION="us-east-1",
        S3_ADDRESSING_STYLE="path",
    )
    settings.STORAGES = configured.STORAGES
    yield s3
    for stored in s3.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        s3.delete_object(Bucket=BUCKET, Key=stored["Key"])


def test_the_default_stays_files_under_media_root(monkeypatch, tmp_path):
    configured = settings_from(monkeypatch, tmp_path)
    assert configured.FILE_STORAGE == "filesystem"
    assert configured.STORAGES["default"] == {
        "BACKEND": "django.core.files.storage.FileSystemStorage"
    }


def test_s3_settings_keep_uploads_private(monkeypatch, tmp_path):
    configured = settings_from(monkeypatch, tmp_path, FILE_STORAGE="s3", S3_BUCKET="cases")
    options = configured.STORAGES["default"]["OPTIONS"]
    assert configured.STORAGES["default"]["BACKEND"] == "storages.backends.s3.S3Storage"
    assert options["default_acl"] == "private"
    assert options["querystring_auth"] is False  # no signed links that work without the app
    assert options["file_overwrite"] is False
    assert options["object_parameters"] == {"ServerSideEncryption": "AES256"}


def test_s3_without_a_bucket_is_refused_at_start(monkeypatch, tmp_path):
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="S3_BUCKET"):
        settings_from(monkeypatch, tmp_path, FILE_STORAGE="s3")


def test_a_scan_uploaded_through_the_app_is_kept_in_the_bucket_and_read_back_by_another_request(
    s3_storage, client, world, settings
):
    client.force_login(world.alice)
    response = client.post(
        reverse("consent_new", args=[world.client.pk]),
        {
            "language": "en",
            "signature_method": "uploaded",
            "signature_scan": SimpleUploadedFile("Jamie Rivera.pdf", SCAN, content_type=""),
        },
    )
    assert response.status_code == 302
    consent = Consent.objects.get()
    name = consent.signature_scan.name
    stored = s3_storage.get_object(Bucket=BUCKET, Key=name)
    assert stored["Body"].read() == SCAN
    assert stored["ServerSideEncryption"] == "AES256"
    grants = s3_storage.get_object_acl(Bucket=BUCKET, Key=name)["Grants"]
    assert [grant["Permission"] for grant in grants] == ["FULL_CONTROL"]  # the owner alone
    assert not Path(settings.MEDIA_ROOT).exists()  # nothing on this machine's disk

    # Another request, another session (as if on another instance): the view streams it.
    other = BrowserClient()
    other.force_login(world.alice)
    opened = other.get(reverse("consent_scan", args=[world.client.pk, consent.pk]))
    assert opened.status_code == 200
    assert b"".join(opened.streaming_content) == SCAN
    # Someone without the consent permission gets nothing from the store.
    outsider = BrowserClient()
    outsider.force_login(world.charlie)
    assert (
        outsider.get(reverse("consent_scan", args=[world.client.pk, consent.pk])).status_code == 404
    )


def test_two_scans_never_share_a_name_in_the_bucket(s3_storage, client, world):
    client.force_login(world.alice)
    for content in (SCAN, SCAN + b"second"):
        client.post(
            reverse("consent_new", args=[world.client.pk]),
            {
                "language": "en",
                "signature_method": "uploaded",
                "signature_scan": SimpleUploadedFile("scan.pdf", content, content_type=""),
            },
        )
    names = set(Consent.objects.values_list("signature_scan", flat=True))
    assert len(names) == 2
    keys = {entry["Key"] for entry in s3_storage.list_objects_v2(Bucket=BUCKET)["Contents"]}
    assert names <= keys


def test_a_directory_file_is_imported_from_the_bucket(
    s3_storage, client, world, django_capture_on_commit_callbacks
):
    client.force_login(world.ada)
    run = imported(client, django_capture_on_commit_callbacks, directory_document(2))
    assert run.status == ImportStatus.DONE
    assert Service.objects.filter(organisation=world.org).count() == 2
    assert default_storage.exists(run.file.name)
    assert s3_storage.head_object(Bucket=BUCKET, Key=run.file.name)["ContentLength"] > 0


def test_a_backup_downloads_the_bucket_and_a_restore_puts_it_back(
    s3_storage, transactional_db, world, tmp_path
):
    from django.core.management import call_command

    from tests.factories import ConsentFactory

    consent = ConsentFactory(
        client=world.client,
        signature_method="uploaded",
        signature_scan=SimpleUploadedFile("signed.pdf", SCAN, content_type="application/pdf"),
        created_by=world.alice,
    )
    name = consent.signature_scan.name
    call_command("backup", str(tmp_path / "backup"))
    assert (tmp_path / "backup" / "uploads" / name).read_bytes() == SCAN
    s3_storage.delete_object(Bucket=BUCKET, Key=name)
    s3_storage.put_object(Bucket=BUCKET, Key="consents/stray.pdf", Body=b"not in the backup")
    call_command("restore", str(tmp_path / "backup"), yes=True)
    keys = {entry["Key"] for entry in s3_storage.list_objects_v2(Bucket=BUCKET)["Contents"]}
    assert keys == {name}
    assert s3_storage.get_object(Bucket=BUCKET, Key=name)["Body"].read() == SCAN

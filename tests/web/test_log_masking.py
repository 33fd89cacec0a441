"""A provider's link and a calendar feed carry a secret in their path; no log line keeps it:
not Django's (a refused CSRF check logs the path), not the web server's access log."""

import io
import logging
from types import SimpleNamespace

from django.conf import settings
from django.test import Client
from gunicorn.config import Config

from casebridge.web.logmask import AccessLog, MaskSecrets, mask

SECRET = "Zq3" * 14


def test_secret_paths_are_masked_and_others_left_alone():
    assert mask(f"/partner/referrals/{SECRET}/accept/") == "/partner/referrals/[secret]/accept/"
    assert mask(f"GET /calendar/feed/{SECRET}.ics HTTP/1.1") == (
        "GET /calendar/feed/[secret] HTTP/1.1"
    )
    assert mask("/clients/12/referrals/3/") == "/clients/12/referrals/3/"


def test_the_console_log_masks_a_refused_csrf_check(db):
    assert settings.LOGGING["handlers"]["console"]["filters"] == ["mask_secrets"]
    [console] = [
        handler
        for handler in logging.getLogger().handlers
        if any(isinstance(each, MaskSecrets) for each in handler.filters)
    ]
    written = io.StringIO()
    was = console.setStream(written)
    try:
        Client(enforce_csrf_checks=True).post(f"/partner/referrals/{SECRET}/accept/")
    finally:
        console.setStream(was)
    assert "Forbidden (CSRF cookie not set.): /partner/referrals/[secret]/accept/" in (
        written.getvalue()
    )
    assert SECRET not in written.getvalue()


def test_the_access_log_masks_the_path_and_request_line():
    logger = AccessLog(Config())
    request = SimpleNamespace(
        method="GET",
        path=f"/partner/referrals/{SECRET}/",
        query="",
        uri=f"/partner/referrals/{SECRET}/",
        version=(1, 1),
        headers=[],
    )
    response = SimpleNamespace(status="200 OK", sent=10, headers=[], response_length=10)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/partner/referrals/{SECRET}/",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "PATH_INFO": f"/partner/referrals/{SECRET}/",
        "QUERY_STRING": "",
    }
    atoms = logger.atoms(response, request, environ, SimpleNamespace(seconds=0, microseconds=5))
    assert SECRET not in " ".join(str(value) for value in atoms.values())
    assert atoms["U"] == "/partner/referrals/[secret]/"

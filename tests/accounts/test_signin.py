"""Signing in: argon2, lock-out, idle log-off, two-step sign-in and security headers."""

import time
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.hashers import identify_hasher
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from casebridge.audit.models import AuditEvent
from tests.factories import PASSWORD


def test_production_hashes_passwords_with_argon2(world, settings):
    from casebridge import settings as project_settings

    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    assert settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    world.alice.set_password("a-long-passphrase-2026")
    assert identify_hasher(world.alice.password).algorithm == "argon2"


def test_sign_in_and_the_audit_trail_records_it(client, world):
    response = client.post("/account/login/", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="login", actor=world.alice).exists()


def test_wrong_password_says_so_plainly_and_is_audited(client, world):
    response = client.post("/account/login/", {"username": "alice", "password": "nope"})
    assert "That username and password do not match" in response.content.decode()
    event = AuditEvent.objects.get(action="login_failed")
    assert event.changes == {"username": "alice"}
    assert event.organisation_id == world.org.pk


def test_the_account_locks_after_five_failures(client, world):
    for _ in range(5):
        client.post("/account/login/", {"username": "alice", "password": "wrong"})
    locked = client.post("/account/login/", {"username": "alice", "password": PASSWORD})
    assert locked.status_code == 429
    assert "Account locked for now" in locked.content.decode()


def test_idle_sessions_end_after_fifteen_minutes_by_default():
    assert django_settings.IDLE_TIMEOUT_MINUTES == 15
    assert django_settings.SESSION_COOKIE_AGE == 15 * 60


def _expires(client):
    from django.contrib.sessions.models import Session

    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_a_session_is_kept_alive_by_use_at_most_once_a_minute(client, world):
    from django.contrib.sessions.backends.db import SessionStore

    from casebridge.web.middleware import TOUCHED

    client.force_login(world.alice)
    client.get("/caseload/")
    first = _expires(client)
    assert first <= timezone.now() + timedelta(minutes=15)
    client.get("/caseload/")  # within the minute: no write
    assert _expires(client) == first
    # The last save a minute ago: the next request moves the end to 15 minutes from now.
    store = SessionStore(session_key=client.session.session_key)
    store[TOUCHED] = int(time.time()) - 61
    store.save()
    saved = _expires(client)
    client.get("/caseload/")
    assert _expires(client) > saved
    assert _expires(client) <= timezone.now() + timedelta(minutes=15)


def test_visitors_get_no_session_row(client, db):
    from django.contrib.sessions.models import Session

    client.get("/account/login/")
    assert not Session.objects.exists()


def test_security_headers_and_cookie_flags(client, world):
    response = client.get("/account/login/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert "no-store" in response["Cache-Control"]
    cookie = response.cookies["csrftoken"]
    assert cookie["secure"] and cookie["httponly"]


def _totp_code(device):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


def test_an_organisation_that_requires_two_step_sign_in_sends_staff_to_set_it_up(client, world):
    world.org.require_two_factor = True
    world.org.save()
    client.force_login(world.alice)
    assert client.get("/caseload/").url == "/account/two-factor/setup/"
    page = client.get("/account/two-factor/setup/")
    assert "data:image/svg+xml;base64," in page.content.decode()
    device = TOTPDevice.objects.get(user=world.alice)
    right = client.post("/account/two-factor/setup/", {"token": _totp_code(device)})
    assert right.status_code == 302
    assert TOTPDevice.objects.get(user=world.alice).confirmed
    assert client.get("/caseload/").status_code == 200


def test_staff_with_an_authenticator_must_enter_a_code_after_the_password(client, world):
    device = TOTPDevice.objects.create(user=world.alice, name="phone", confirmed=True)
    client.post("/account/login/", {"username": "alice", "password": PASSWORD})
    assert client.get("/caseload/").url == "/account/two-factor/"
    client.post("/account/two-factor/", {"token": _totp_code(device)})
    assert client.get("/caseload/").status_code == 200


@pytest.mark.parametrize("token", ["12345", "abcdef", ""])
def test_malformed_codes_are_refused_with_a_plain_message(client, world, token):
    TOTPDevice.objects.create(user=world.alice, name="phone", confirmed=True)
    client.force_login(world.alice)
    response = client.post("/account/two-factor/", {"token": token})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Enter the 6 digits" in body or "This field is required" in body


def test_a_wrong_code_at_set_up_is_refused_and_nothing_is_turned_on(client, world):
    client.force_login(world.alice)
    client.get("/account/two-factor/setup/")
    device = TOTPDevice.objects.get(user=world.alice)
    wrong = "000000" if _totp_code(device) != "000000" else "111111"
    response = client.post("/account/two-factor/setup/", {"token": wrong})
    assert "did not match" in response.content.decode()
    assert not TOTPDevice.objects.get(user=world.alice).confirmed


def test_an_idle_session_is_over_on_the_server_not_only_in_the_browser(client, world):
    from datetime import timedelta

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    client.force_login(world.alice)
    assert client.get("/caseload/").status_code == 200
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get("/caseload/")
    assert response.status_code == 302 and response.url.startswith("/account/login/")

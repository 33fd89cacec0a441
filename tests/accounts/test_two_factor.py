"""Setting up two-step sign-in: a password alone may enrol a first authenticator but never
replace one; replacing needs a session that already passed two-step sign-in. Every enrolment,
replacement and refusal is on the audit trail, and the person is told by email."""

import pytest
from django.core import mail
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from casebridge.accounts.services import TwoFactorSessionRequired, totp_confirm
from casebridge.audit.models import AuditEvent
from tests.factories import PASSWORD

SETUP = "/account/two-factor/setup/"
VERIFY = "/account/two-factor/"
REFUSAL = {"reason": "setup needs a two-factor session"}


def _code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


def _wrong_code(device: TOTPDevice) -> str:
    return "000000" if _code(device) != "000000" else "111111"


def _sign_in_with_password_only(client, user) -> None:
    response = client.post("/account/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302


def _sign_in_with_both_steps(client, user, device: TOTPDevice) -> None:
    _sign_in_with_password_only(client, user)
    client.post(VERIFY, {"token": _code(device)})
    assert DEVICE_ID_SESSION_KEY in client.session


def _client_page(world) -> str:
    return reverse("client_overview", kwargs={"client_id": world.client.pk})


def _enrolled_device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Old phone", confirmed=True)


# Who may enrol from a session that has passed the password step only.
PASSWORD_ONLY_TABLE = [
    # enrolled, organisation requires two-factor, may enrol
    pytest.param(False, False, True, id="first-enrolment-optional"),
    pytest.param(False, True, True, id="first-enrolment-required"),
    pytest.param(True, False, False, id="replacement-optional"),
    pytest.param(True, True, False, id="replacement-required"),
]


@pytest.mark.parametrize(("enrolled", "required", "may_enrol"), PASSWORD_ONLY_TABLE)
def test_opening_set_up_with_only_a_password(client, world, enrolled, required, may_enrol):
    world.org.require_two_factor = required
    world.org.save()
    old = _enrolled_device(world.alice) if enrolled else None
    _sign_in_with_password_only(client, world.alice)

    response = client.get(SETUP, follow=True)

    if may_enrol:
        assert response.redirect_chain == []
        assert "data:image/svg+xml;base64," in response.content.decode()
        assert TOTPDevice.objects.filter(user=world.alice, confirmed=False).count() == 1
        assert not AuditEvent.objects.filter(action="refused").exists()
    else:
        assert response.redirect_chain == [(VERIFY, 302)]
        body = response.content.decode()
        assert "You already have an authenticator app" in body
        assert "data:image/svg+xml" not in body
        # No new secret was made, and the authenticator already set up is untouched.
        assert list(TOTPDevice.objects.filter(user=world.alice)) == [old]
        refusal = AuditEvent.objects.get(action="refused")
        assert refusal.actor == world.alice
        assert refusal.object_type == "two_factor_device"
        assert refusal.changes == REFUSAL
    assert DEVICE_ID_SESSION_KEY not in client.session


@pytest.mark.parametrize(("enrolled", "required", "may_enrol"), PASSWORD_ONLY_TABLE)
def test_confirming_set_up_with_only_a_password(
    client, world, enrolled, required, may_enrol, django_capture_on_commit_callbacks
):
    world.org.require_two_factor = required
    world.org.save()
    old = _enrolled_device(world.alice) if enrolled else None
    _sign_in_with_password_only(client, world.alice)

    # The attack as the outside probe ran it: open set-up, then send a code for the newest secret.
    client.get(SETUP)
    newest = TOTPDevice.objects.filter(user=world.alice).latest("pk")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(SETUP, {"token": _code(newest)})

    if may_enrol:
        assert response.url == reverse("home")
        device = TOTPDevice.objects.get(user=world.alice)
        assert device.confirmed
        assert DEVICE_ID_SESSION_KEY in client.session
        assert client.get(_client_page(world)).status_code == 200
        event = AuditEvent.objects.get(object_type="two_factor_device", action="create")
        assert event.actor == world.alice
        assert event.object_id == str(device.pk)
        assert event.changes == {"authenticator": [None, "enrolled"]}
        assert [m.to for m in mail.outbox] == [[world.alice.email]]
        assert "set up" in mail.outbox[0].body
    else:
        assert response.url == VERIFY
        assert list(TOTPDevice.objects.filter(user=world.alice)) == [old]
        assert TOTPDevice.objects.get(pk=old.pk).confirmed
        assert DEVICE_ID_SESSION_KEY not in client.session
        assert client.get(_client_page(world)).status_code != 200
        assert not AuditEvent.objects.filter(action__in=["create", "update"]).exists()
        assert AuditEvent.objects.filter(action="refused", changes=REFUSAL).count() == 2
        assert mail.outbox == []


def test_a_secret_left_over_from_an_earlier_set_up_cannot_replace_the_authenticator(
    client, world, django_capture_on_commit_callbacks
):
    old = _enrolled_device(world.alice)
    leftover = TOTPDevice.objects.create(user=world.alice, name="Half set up", confirmed=False)
    _sign_in_with_password_only(client, world.alice)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(SETUP, {"token": _code(leftover)})

    assert response.url == VERIFY
    assert TOTPDevice.objects.get(pk=old.pk).confirmed
    assert not TOTPDevice.objects.get(pk=leftover.pk).confirmed
    assert DEVICE_ID_SESSION_KEY not in client.session
    assert mail.outbox == []


def test_a_session_that_passed_two_step_sign_in_can_replace_its_authenticator(
    client, world, django_capture_on_commit_callbacks
):
    old = _enrolled_device(world.alice)
    _sign_in_with_both_steps(client, world.alice, old)

    page = client.get(SETUP)
    assert page.status_code == 200
    assert "replaces the one you use now" in page.content.decode()
    new = TOTPDevice.objects.get(user=world.alice, confirmed=False)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(SETUP, {"token": _code(new)})

    assert response.url == reverse("home")
    assert list(TOTPDevice.objects.filter(user=world.alice)) == [new]
    assert TOTPDevice.objects.get(pk=new.pk).confirmed
    assert client.get(_client_page(world)).status_code == 200
    event = AuditEvent.objects.get(object_type="two_factor_device", action="update")
    assert event.actor == world.alice
    assert event.object_id == str(new.pk)
    assert event.changes == {"authenticator": ["replaced", "enrolled"]}
    assert [m.to for m in mail.outbox] == [[world.alice.email]]
    assert "replaced" in mail.outbox[0].body


def test_the_email_says_what_happened_and_when_and_names_no_client(
    client, world, django_capture_on_commit_callbacks, settings
):
    settings.DEFAULT_FROM_EMAIL = "security@casebridge.example"
    _sign_in_with_password_only(client, world.alice)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=world.alice)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(SETUP, {"token": _code(device)})

    (message,) = mail.outbox
    assert message.from_email == "security@casebridge.example"
    assert "authenticator" in message.subject.lower()
    assert "If this was not you, tell your administrator now." in message.body
    assert any(str(year) in message.body for year in range(2024, 2100))
    for detail in (world.client.legal_first_name, world.client.legal_last_name):
        assert detail not in message.body
    assert device.bin_key.hex() not in message.body and device.key not in message.body


def test_staff_without_an_email_address_can_still_enrol_and_no_email_is_sent(
    client, world, django_capture_on_commit_callbacks
):
    world.alice.email = ""
    world.alice.save()
    _sign_in_with_password_only(client, world.alice)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=world.alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(SETUP, {"token": _code(device)})

    assert response.url == reverse("home")
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    assert mail.outbox == []


def test_the_audit_trail_never_holds_the_secret_or_a_code(client, world):
    _sign_in_with_password_only(client, world.alice)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=world.alice)
    code = _code(device)
    client.post(SETUP, {"token": code})

    for event in AuditEvent.objects.all():
        written = str(event.changes)
        assert device.key not in written and code not in written


def test_the_service_will_not_replace_an_authenticator_unless_told_the_session_is_verified(world):
    old = _enrolled_device(world.alice)
    new = TOTPDevice.objects.create(user=world.alice, name="New phone", confirmed=False)

    with pytest.raises(TwoFactorSessionRequired):
        totp_confirm(device=new, token=_code(new), verified=False)

    assert TOTPDevice.objects.get(pk=old.pk).confirmed
    assert not TOTPDevice.objects.get(pk=new.pk).confirmed
    assert AuditEvent.objects.get(action="refused").changes == REFUSAL


def test_a_wrong_code_at_the_verify_step_is_audited_without_the_code(client, world):
    device = _enrolled_device(world.alice)
    _sign_in_with_password_only(client, world.alice)
    wrong = _wrong_code(device)

    response = client.post(VERIFY, {"token": wrong})

    assert "did not match" in response.content.decode()
    assert DEVICE_ID_SESSION_KEY not in client.session
    event = AuditEvent.objects.get(action="login_failed", actor=world.alice)
    assert event.changes == {"step": "two_factor"}
    assert wrong not in str(event.changes)


def test_a_code_sent_before_the_set_up_page_was_opened_turns_nothing_on(client, world):
    _sign_in_with_password_only(client, world.alice)

    response = client.post(SETUP, {"token": "123456"})

    assert response.status_code == 200
    assert "did not match" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=world.alice, confirmed=True).exists()
    assert DEVICE_ID_SESSION_KEY not in client.session


def test_whether_someone_has_a_second_factor_is_asked_in_one_query(
    world, django_assert_num_queries
):
    from django.contrib.auth.models import AnonymousUser
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from casebridge.accounts.devices import has_authenticator

    TOTPDevice.objects.create(user=world.alice, name="Not finished", confirmed=False)
    StaticDevice.objects.create(user=world.bob, name="Backup codes", confirmed=True)
    TOTPDevice.objects.create(user=world.sue, name="Phone", confirmed=True)
    for person, has in [(world.alice, False), (world.bob, True), (world.sue, True)]:
        with django_assert_num_queries(1):
            assert has_authenticator(person) is has
    assert has_authenticator(AnonymousUser()) is False


def test_views_are_given_the_account_itself_still_knowing_its_second_step(client, world):
    from casebridge.accounts.models import User

    device = _enrolled_device(world.alice)
    _sign_in_with_both_steps(client, world.alice, device)
    request = client.get(_client_page(world)).wsgi_request
    assert type(request.user) is User and request.user.pk == world.alice.pk
    assert request.user.is_verified() and request.user.otp_device == device

    client.logout()
    request = client.get("/account/login/").wsgi_request
    assert not request.user.is_authenticated and request.user.pk is None

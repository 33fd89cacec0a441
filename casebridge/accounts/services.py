"""Writes for staff accounts: authenticator (TOTP) enrolment."""

from typing import Any

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice


def totp_device_for_setup(*, user: Any) -> TOTPDevice:
    """The user's unconfirmed authenticator device, made if there is none yet."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


def totp_confirm(*, device: TOTPDevice, token: str) -> bool:
    """Confirm the device when the code matches; other devices of the user are removed."""
    if not device.verify_token(token):
        return False
    with transaction.atomic():
        TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    return True

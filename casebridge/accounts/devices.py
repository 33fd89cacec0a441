"""Whether a staff member has set up a second factor (an authenticator app or backup codes),
asked in one query however many kinds of device there are: django_otp.user_has_device asks
one query per kind, and the answer is needed on every request."""

from functools import cache
from typing import Any

from django.db.models import Exists, OuterRef
from django_otp import device_classes

from casebridge.accounts.models import User


@cache
def authenticator_checks(user_field: str = "pk") -> dict[str, Exists]:
    """One EXISTS per kind of confirmed device, for annotating a query whose `user_field` is
    the staff member's id. Built once per field (every request asks; a query copies an
    expression as it takes it in, so the same ones serve every query)."""
    return {
        f"has_device_{n}": Exists(model.objects.filter(user=OuterRef(user_field), confirmed=True))
        for n, model in enumerate(device_classes())
    }


def any_checked(row: Any, checks: dict[str, Exists]) -> bool:
    return any(getattr(row, name) for name in checks)


def has_authenticator(user: Any) -> bool:
    """What django_otp.user_has_device answers (confirmed devices only), in one query."""
    if not isinstance(user, User) or not user.pk:
        return False
    checks = authenticator_checks()
    row = User.objects.filter(pk=user.pk).annotate(**checks).only("pk").first()
    return row is not None and any_checked(row, checks)

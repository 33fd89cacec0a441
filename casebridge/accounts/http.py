"""Typing for requests that have passed sign-in: their user is a staff account, never anonymous.

Views behind `login_required` take a `SignedInRequest`, so the acting person handed to services
is a `User` for the type checker as it is at run time. Admin methods, whose signatures Django
fixes, ask `acting_user(request)` instead.
"""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from casebridge.accounts.models import User


class SignedInRequest(HttpRequest):
    user: User
    htmx: HtmxDetails  # set by django-htmx's middleware on every request


def acting_user(request: HttpRequest) -> User:
    """The signed-in account making `request`; anyone else is refused."""
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        raise PermissionDenied
    return user


def organisation_of(request: HttpRequest) -> int:
    """The acting person's organisation; an account with none reaches and configures nothing."""
    organisation_id = acting_user(request).organisation_id
    if organisation_id is None:
        raise PermissionDenied
    return organisation_id

"""Two-factor sign-in: staff with an authenticator (or whose organisation requires one) must
confirm a code before they reach anything else. API calls may instead carry a personal token."""

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import LazyObject, empty

from casebridge.accounts.devices import has_authenticator
from casebridge.accounts.services import api_token_user
from casebridge.audit.context import current_api_token

OPEN_PATHS = ("/static/", "/healthz", "/account/")


class TwoFactorRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if getattr(request, "api_token", False):
            # Tokens answer for the second factor themselves (see api_token_user).
            return self.get_response(request)
        if user.is_authenticated and not request.path.startswith(OPEN_PATHS):
            # django-otp's middleware puts is_verified on the user at run time.
            verified = bool(getattr(user, "is_verified", lambda: False)())
            if not verified and has_authenticator(user):
                return redirect(reverse("two_factor_verify"))
            organisation = getattr(user, "organisation", None)
            if not verified and organisation is not None and organisation.require_two_factor:
                return redirect(reverse("two_factor_setup"))
        # The account itself from here on, not the lazy stand-in that found it: every read of
        # request.user by a view, a query or a template otherwise passes through the stand-in
        # (a thousand times on a busy page).
        request.user = _unwrapped(user)
        return self.get_response(request)


def _unwrapped(user: Any) -> Any:
    """The account (or anonymous user) behind the lazy stand-ins the sign-in and two-factor
    middleware put in its place (one inside the other)."""
    while isinstance(user, LazyObject):
        if user._wrapped is empty:
            user._setup()
        user = user._wrapped
    return user


class ApiTokenMiddleware:
    """`Authorization: Bearer <token>` on an /api/ call signs the call in as the token's owner.

    A bad token is refused outright rather than falling back to the session, so a caller learns
    at once that its token is wrong. Token calls carry no cookies, so CSRF does not apply.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        header = request.headers.get("Authorization", "")
        if request.path.startswith("/api/") and header.startswith("Bearer "):
            user, token = api_token_user(
                header.removeprefix("Bearer ").strip(),
                method=request.method or "",
                path=request.path,
            )
            if user is None or token is None:
                return JsonResponse(
                    {"error": "The token is not valid, has expired or was revoked."}, status=401
                )
            request.user = user
            request.api_token = True  # type: ignore[attr-defined]
            request._dont_enforce_csrf_checks = True  # type: ignore[attr-defined]
            # Every event the call writes names its token, so a leaked token's reads can be told
            # apart from the person's own.
            naming = current_api_token.set(token.pk)
            try:
                return self.get_response(request)
            finally:
                current_api_token.reset(naming)
        return self.get_response(request)

"""Two-factor sign-in: staff with an authenticator (or whose organisation requires one) must
confirm a code before they reach anything else."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django_otp import user_has_device

OPEN_PATHS = ("/static/", "/healthz", "/account/")


class TwoFactorRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and not request.path.startswith(OPEN_PATHS):
            verified = user.is_verified()  # type: ignore[union-attr]
            if not verified and user_has_device(user):
                return redirect(reverse("two_factor_verify"))
            organisation = getattr(user, "organisation", None)
            if not verified and organisation is not None and organisation.require_two_factor:
                return redirect(reverse("two_factor_setup"))
        return self.get_response(request)

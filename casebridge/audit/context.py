"""Where the current request came from, for audit rows written deep inside services."""

from collections.abc import Callable
from contextvars import ContextVar

from django.conf import settings
from django.http import HttpRequest, HttpResponse

current_remote_addr: ContextVar[str | None] = ContextVar("current_remote_addr", default=None)
# The API token a call signed in with: every event written during the call names it.
current_api_token: ContextVar[int | None] = ContextVar("current_api_token", default=None)


def remote_addr_of(request: HttpRequest) -> str | None:
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        # The right-most entry is the one our own proxy added; anything left of it came from
        # the client and could be made up.
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR") or None


class AuditContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_remote_addr.set(remote_addr_of(request))
        try:
            return self.get_response(request)
        finally:
            current_remote_addr.reset(token)

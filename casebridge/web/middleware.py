"""Request-wide rules: pages with client data are not kept by browsers or shared caches, and
requests carrying characters no database column takes are refused before any view reads them."""

import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers

from casebridge.inputs import has_unsafe_characters


class NoStoreMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith("/static/"):
            add_never_cache_headers(response)
            response["Cache-Control"] = "no-store, no-cache, must-revalidate, private, max-age=0"
        return response


# When the session of a signed-in person was last saved (seconds since the epoch).
TOUCHED = "_touched_at"


def session_signed_in(sender: object, request: HttpRequest | None, **kwargs: object) -> None:
    """Signing in saves the session: its idle time counts from then."""
    if request is not None and hasattr(request, "session"):
        request.session[TOUCHED] = int(time.time())


class IdleTimeoutMiddleware:
    """A session ends IDLE_TIMEOUT_MINUTES after the person last did something. Saving the
    session on every request would say so to the second, at a database write per page; it is
    saved instead when the last save is SESSION_TOUCH_SECONDS old or more, so it ends between
    that much before the idle time and the idle time itself: never later."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # Only a session that exists already (someone signed in): none is made for visitors.
        if session is not None and session.session_key and not session.modified:
            now = int(time.time())
            if now - int(session.get(TOUCHED, 0)) >= settings.SESSION_TOUCH_SECONDS:
                session[TOUCHED] = now
        return response


class BadInputMiddleware:
    """Answer 400 when the path, the query string, a form field or the Authorization header
    carries NUL or a lone surrogate. No column takes them (PostgreSQL refuses NUL in text), so
    no view, filter or audit row should ever see them; this is the one place they are stopped."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _carries_unsafe_characters(request):
            return bad_request(
                request, "The address or the form has characters that cannot be used."
            )
        return self.get_response(request)


def _carries_unsafe_characters(request: HttpRequest) -> bool:
    texts = [request.path, request.META.get("HTTP_AUTHORIZATION", "")]
    for key, values in request.GET.lists():
        texts.append(key)
        texts.extend(values)
    if request.method == "POST":
        try:
            for key, values in request.POST.lists():
                texts.append(key)
                texts.extend(values)
        except (MultiPartParserError, UnreadablePostError):
            pass  # the view, or CSRF, answers an unreadable body
    return any(has_unsafe_characters(text) for text in texts)


def bad_request(request: HttpRequest, message: str) -> HttpResponse:
    """A plain 400: JSON in the house format on the API, a short page elsewhere. Nothing of the
    request is echoed back."""
    if request.path.startswith("/api/"):
        return JsonResponse({"error": message}, status=400)
    return render(None, "400.html", {"message": message}, status=400)  # type: ignore[arg-type]

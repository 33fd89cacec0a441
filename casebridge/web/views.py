"""Home (sends each role to its starting page), health check and error pages."""

import sys

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.db.utils import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from casebridge.access.policy import may_have_caseload, may_read_as_court_team, may_read_audit


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if may_have_caseload(user):
        return redirect("my_day")
    if may_read_audit(user):
        return redirect("audit_trail")
    if may_read_as_court_team(user):
        return redirect("court_team_home")
    if user.is_staff:
        return redirect("admin:index")
    return render(request, "web/nothing_here.html")


@login_required
def floor(request: HttpRequest) -> HttpResponse:
    """The least a signed-in page costs: the same middleware and layout, nothing else. The
    benchmarks measure every page against it (served only when BENCHMARK_FLOOR is on)."""
    return render(request, "web/floor.html")


def settings_sign_in(request: HttpRequest, extra_context: object = None) -> HttpResponse:
    """Settings (Django's admin) has no sign-in page of its own: a signed-out person uses the
    one sign-in, and a signed-in person who may not configure finds nothing there."""
    if request.user.is_authenticated:
        raise Http404
    return redirect_to_login(request.get_full_path(), login_url=reverse("login"))


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


# Seconds a caller should wait before trying again while the database does not answer.
RETRY_AFTER_SECONDS = 30


def server_error(request: HttpRequest) -> HttpResponse:
    """The last resort. Django calls it inside the failed request's `except`, so the error is
    at hand: a database that does not answer is "unavailable, try again" (503), not a bug; an
    API caller gets JSON either way. Rendered without the request context so nothing of the
    request reaches the page."""
    unavailable = isinstance(sys.exc_info()[1], (OperationalError, InterfaceError))
    status = 503 if unavailable else 500
    if request.path.startswith("/api/"):
        body = {
            "error": (
                "The database is not answering. Try again in a minute."
                if unavailable
                else "Something went wrong on our side. Nothing was half-saved."
            ),
            "code": "unavailable" if unavailable else "server_error",
        }
        response: HttpResponse = JsonResponse(body, status=status)
    else:
        template = "503.html" if unavailable else "500.html"
        response = render(None, template, status=status)  # type: ignore[arg-type]
    if unavailable:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response

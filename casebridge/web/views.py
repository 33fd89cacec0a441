"""Home (sends each role to its starting page), health check and error pages."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from casebridge.access.policy import may_have_caseload, may_read_audit


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if may_have_caseload(user):
        return redirect("caseload")
    if may_read_audit(user):
        return redirect("audit_trail")
    if user.is_staff:
        return redirect("admin:index")
    return render(request, "web/nothing_here.html")


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # Rendered without the request context so nothing of the request reaches the page.
    return render(None, "500.html", status=500)  # type: ignore[arg-type]

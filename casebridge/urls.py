"""Top-level URLs. Client URLs carry ids only, never names."""

from django.conf import settings
from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from casebridge.accounts import views as account_views
from casebridge.web import views as web_views

admin.site.site_header = "Casebridge configuration"
admin.site.site_title = "Casebridge configuration"
admin.site.login = web_views.settings_sign_in  # type: ignore[method-assign]

urlpatterns = [
    path("", web_views.home, name="home"),
    path("healthz", web_views.healthz, name="healthz"),
    path("favicon.ico", RedirectView.as_view(url=static("img/favicon.svg")), name="favicon"),
    path("account/", include("casebridge.accounts.urls")),
    # Outside /account/ on purpose: making a token needs a session that passed two-factor.
    path("api-tokens/", account_views.api_tokens, name="api_tokens"),
    path("access-changes/", account_views.staff_changes, name="staff_changes"),
    path("", include("casebridge.clients.urls")),
    path("", include("casebridge.consents.urls")),
    path("", include("casebridge.assessments.urls")),
    path("", include("casebridge.plans.urls")),
    path("", include("casebridge.monitoring.urls")),
    path("", include("casebridge.referrals.urls")),
    path("", include("casebridge.referrals.partner_urls")),
    path("", include("casebridge.advocacy.urls")),
    path("", include("casebridge.court.urls")),
    path("", include("casebridge.family.urls")),
    path("", include("casebridge.coaching.urls")),
    path("", include("casebridge.recovery_capital.urls")),
    path("", include("casebridge.directory.urls")),
    path("", include("casebridge.safety.urls")),
    path("", include("casebridge.transitions.urls")),
    path("", include("casebridge.discharge.urls")),
    path("", include("casebridge.followups.urls")),
    path("", include("casebridge.alerts.urls")),
    path("audit/", include("casebridge.audit.urls")),
    path("admin/", admin.site.urls),
]

if settings.BENCHMARK_FLOOR:
    urlpatterns.append(path("bench/floor/", web_views.floor, name="bench_floor"))

handler404 = "casebridge.web.views.not_found"
handler500 = "casebridge.web.views.server_error"

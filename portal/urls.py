from django.conf import settings
from django.contrib import admin
from django.shortcuts import redirect
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from portal.home import HomeView
from povalleviation import health
from povalleviation.metrics import metrics

admin.site.site_header = "精准扶贫业务系统 · 系统管理"
admin.site.site_title = "系统管理"
admin.site.index_title = "用户、任职与区域"


def _own_password_change(request, extra_context=None):
    """The admin's "修改密码" goes to the one change-password page: policy, history, audit, other sessions ended."""
    return redirect("accounts:password_change")


admin.site.password_change = _own_password_change

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    # Readiness (database, broker, job backlog) at /healthz and /healthz/ready; liveness at /healthz/live.
    path("healthz", health.healthz, name="healthz"),
    path("healthz/ready", health.healthz, name="healthz_ready"),
    path("healthz/live", health.live, name="healthz_live"),
    # Prometheus, for METRICS_ALLOWED_NETWORKS only (404 to anyone else).
    path("metrics", metrics, name="metrics"),
    path("accounts/", include("accounts.urls")),
    path("areas/", include("villages.urls")),
    path("households/imports/", include("households.imports.urls")),
    path("households/", include("households.urls")),
    path("policy/", include("assessments.policy.urls")),
    path("policy/eligibility/", include("assessments.eligibility.urls")),
    path("exits/", include("assessments.workflows.urls")),
    path("plans/", include("assessments.plans.urls")),
    path("projects/", include("projects.urls")),
    path("funds/", include("funds.urls")),
    path("oversight/", include("oversight.urls")),
    path("reports/verify/", include("reports.urls_verify")),
    path("reports/", include("reports.urls")),
    path("public/", include("projects.public_urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("portal.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as its own file (?script): the CSP allows no inline script.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
]

handler400 = "povalleviation.errorpages.bad_request"
handler403 = "povalleviation.errorpages.permission_denied"
handler404 = "povalleviation.errorpages.page_not_found"
handler500 = "povalleviation.errorpages.server_error"

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

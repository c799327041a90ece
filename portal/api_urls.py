from django.urls import include, path

app_name = "api"
urlpatterns = [
    path("", include("accounts.api.urls")),
    path("", include("villages.api.urls")),
    path("", include("households.api.urls")),
    path("", include("households.imports.api_urls")),
    path("", include("assessments.policy.api.urls")),
    path("", include("assessments.eligibility.api.urls")),
    path("", include("assessments.workflows.api.urls")),
    path("", include("assessments.plans.api.urls")),
    path("", include("projects.api.urls")),
    path("", include("funds.api.urls")),
    path("", include("oversight.api.urls")),
    path("", include("reports.api.urls")),
]

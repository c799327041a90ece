from django.urls import include, path

app_name = "api"
urlpatterns = [
    path("", include("accounts.api.urls")),
    path("", include("villages.api.urls")),
    path("", include("households.api.urls")),
    path("", include("households.imports.api_urls")),
    path("", include("assessments.api.urls_policy")),
    path("", include("assessments.api.urls_workflow")),
    path("", include("assessments.api.urls_plan")),
    path("", include("projects.api.urls")),
    path("", include("funds.api.urls")),
    path("", include("oversight.api.urls")),
    path("", include("reports.api.urls")),
]

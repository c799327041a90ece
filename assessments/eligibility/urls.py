"""Eligibility pages, mounted at /policy/eligibility/ beside the policy pages."""
from django.urls import path

from assessments.eligibility import views

app_name = "eligibility"
urlpatterns = [
    path("runs/", views.RunListView.as_view(), name="run_list"),
    path("runs/start/", views.RunStartView.as_view(), name="run_start"),
    path("runs/status/", views.RunStatusView.as_view(), name="run_status"),
    path("areas/", views.AreaResultListView.as_view(), name="area_results"),
]

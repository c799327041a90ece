from django.urls import path

from assessments import views_policy as views

app_name = "policy"
urlpatterns = [
    path("", views.ParameterListView.as_view(), name="parameter_list"),
    path("parameters/new/", views.ParameterCreateView.as_view(), name="parameter_create"),
    path("parameters/<int:pk>/", views.ParameterDetailView.as_view(), name="parameter_detail"),
    path("parameters/<int:pk>/edit/", views.ParameterEditView.as_view(), name="parameter_edit"),
    path("parameters/<int:pk>/retire/", views.ParameterRetireView.as_view(), name="parameter_retire"),
    path("eligibility/runs/", views.RunListView.as_view(), name="run_list"),
    path("eligibility/runs/start/", views.RunStartView.as_view(), name="run_start"),
    path("eligibility/runs/status/", views.RunStatusView.as_view(), name="run_status"),
    path("eligibility/areas/", views.AreaResultListView.as_view(), name="area_results"),
]

from django.urls import path

from assessments.policy import views

app_name = "policy"
urlpatterns = [
    path("", views.ParameterListView.as_view(), name="parameter_list"),
    path("parameters/new/", views.ParameterCreateView.as_view(), name="parameter_create"),
    path("parameters/<int:pk>/", views.ParameterDetailView.as_view(), name="parameter_detail"),
    path("parameters/<int:pk>/edit/", views.ParameterEditView.as_view(), name="parameter_edit"),
    path("parameters/<int:pk>/retire/", views.ParameterRetireView.as_view(), name="parameter_retire"),
]

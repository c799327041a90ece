from django.urls import path

from . import views

app_name = "projects"
urlpatterns = [
    path("", views.ProjectListView.as_view(), name="list"),
    path("new/", views.ProjectFormView.as_view(), name="create"),
    path("<int:pk>/", views.ProjectDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.ProjectFormView.as_view(), name="edit"),
    path("<int:pk>/do/<str:action>/", views.ProjectActionView.as_view(), name="action"),
    path("<int:pk>/publicity/", views.PublicityCreateView.as_view(), name="publicity_create"),
    path("publicity/<int:pk>/objections/", views.ObjectionCreateView.as_view(), name="objection_create"),
    path("objections/<int:pk>/resolve/", views.ObjectionResolveView.as_view(), name="objection_resolve"),
]

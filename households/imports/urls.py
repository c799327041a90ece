"""Mounted at /households/imports/ by the site urls."""
from django.urls import path

from . import views

app_name = "household_imports"
urlpatterns = [
    path("", views.ImportUploadView.as_view(), name="upload"),
    path("template.xlsx", views.TemplateDownloadView.as_view(), name="template"),
    path("help/", views.TemplateHelpView.as_view(), name="help"),
    path("export/", views.HouseholdExportView.as_view(), name="export"),
    path("<int:pk>/", views.ImportJobView.as_view(), name="job"),
    path("<int:pk>/status/", views.ImportJobStatusView.as_view(), name="status"),
    path("<int:pk>/errors.xlsx", views.ImportJobErrorFileView.as_view(), name="error_file"),
    path("<int:pk>/confirm/", views.ImportJobConfirmView.as_view(), name="confirm"),
]

from django.urls import path

from . import views
from .imports import views as import_views

app_name = "funds"
urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("projects/", views.ProjectDrillView.as_view(), name="project_drill"),
    path("allocations/", views.AllocationListView.as_view(), name="allocation_list"),
    path("allocations/new/", views.AllocationCreateView.as_view(), name="allocation_create"),
    path("allocations/<int:pk>/", views.AllocationDetailView.as_view(), name="allocation_detail"),
    path("allocations/<int:pk>/publish/", views.AllocationPublishView.as_view(), name="allocation_publish"),
    path("projects/<int:pk>/delays/new/", views.DelayCreateView.as_view(), name="delay_create"),
    path("disbursements/", views.DisbursementListView.as_view(), name="disbursement_list"),
    path("disbursements/new/", views.DisbursementCreateView.as_view(), name="disbursement_create"),
    path("disbursements/<int:pk>/review/", views.DisbursementReviewView.as_view(), name="disbursement_review"),
    path("import/", import_views.ImportUploadView.as_view(), name="import"),
    path("import/<int:pk>/", import_views.ImportPreviewView.as_view(), name="import_preview"),
    path("export/", import_views.ExportView.as_view(), name="export"),
]

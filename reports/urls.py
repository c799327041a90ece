from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.ReportListView.as_view(), name="list"),
    path("generate/", views.ReportGenerateView.as_view(), name="generate"),
    path("<int:pk>/", views.ReportDetailView.as_view(), name="detail"),
    path("<int:pk>/status/", views.ReportStatusView.as_view(), name="status"),
    path("<int:pk>/<str:action>/", views.ReportActionView.as_view(), name="action"),
    path("<int:pk>/download/<str:kind>/", views.ReportDownloadView.as_view(), name="download"),
]

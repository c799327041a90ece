"""Public verification of signed reports, mounted at /reports/verify/ (no login)."""
from django.urls import path

from .views_verify import ReportVerifyView, VerifyUploadPageView

app_name = "report_verify"
urlpatterns = [
    path("", VerifyUploadPageView.as_view(), name="verify_upload"),
    path("<uuid:token>/", ReportVerifyView.as_view(), name="verify"),
]

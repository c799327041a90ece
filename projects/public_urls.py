"""公告公示 pages without login (mounted at /public/)."""
from django.urls import path

from . import views

app_name = "public"
urlpatterns = [
    path("projects/<str:code>/", views.PublicNoticeView.as_view(), name="projects"),
]

from django.urls import path
from rest_framework.routers import SimpleRouter

from accounts.api.views import AuditEventViewSet, MeView

router = SimpleRouter()
router.register("audit-events", AuditEventViewSet, basename="audit-event")
urlpatterns = [path("me/", MeView.as_view(), name="me"), *router.urls]

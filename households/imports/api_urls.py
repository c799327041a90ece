"""Mounted under /api/v1/ by portal/api_urls.py."""
from rest_framework.routers import SimpleRouter

from .api import ImportJobViewSet

router = SimpleRouter()
router.register("imports", ImportJobViewSet, basename="imports")
urlpatterns = router.urls

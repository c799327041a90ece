from rest_framework.routers import SimpleRouter

from assessments.api.announcements import AnnouncementViewSet
from assessments.api.workflows import VerificationViewSet

router = SimpleRouter()
router.register("exit-verifications", VerificationViewSet, basename="exit-verification")
router.register("announcements", AnnouncementViewSet, basename="announcement")
urlpatterns = router.urls

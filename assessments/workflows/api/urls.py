from rest_framework.routers import SimpleRouter

from assessments.workflows.api.announcements import AnnouncementViewSet
from assessments.workflows.api.verifications import VerificationViewSet

router = SimpleRouter()
router.register("exit-verifications", VerificationViewSet, basename="exit-verification")
router.register("announcements", AnnouncementViewSet, basename="announcement")
urlpatterns = router.urls

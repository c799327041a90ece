from rest_framework.routers import SimpleRouter

from assessments.api.workflows import VerificationViewSet

router = SimpleRouter()
router.register("exit-verifications", VerificationViewSet, basename="exit-verification")
urlpatterns = router.urls

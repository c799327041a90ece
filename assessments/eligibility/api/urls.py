from rest_framework.routers import SimpleRouter

from assessments.eligibility.api.views import (
    AreaEligibilityResultViewSet,
    EligibilityResultViewSet,
    RecomputeRunViewSet,
)

router = SimpleRouter()
router.register("eligibility-results", EligibilityResultViewSet, basename="eligibility-result")
router.register("area-eligibility-results", AreaEligibilityResultViewSet, basename="area-eligibility-result")
router.register("recompute-runs", RecomputeRunViewSet, basename="recompute-run")
urlpatterns = router.urls

from rest_framework.routers import SimpleRouter

from assessments.api.policy import (
    AreaEligibilityResultViewSet,
    EligibilityResultViewSet,
    PolicyParameterViewSet,
    RecomputeRunViewSet,
)

router = SimpleRouter()
router.register("policy-parameters", PolicyParameterViewSet, basename="policy-parameter")
router.register("eligibility-results", EligibilityResultViewSet, basename="eligibility-result")
router.register("area-eligibility-results", AreaEligibilityResultViewSet, basename="area-eligibility-result")
router.register("recompute-runs", RecomputeRunViewSet, basename="recompute-run")
urlpatterns = router.urls

from rest_framework.routers import SimpleRouter

from assessments.policy.api.views import PolicyParameterViewSet

router = SimpleRouter()
router.register("policy-parameters", PolicyParameterViewSet, basename="policy-parameter")
urlpatterns = router.urls

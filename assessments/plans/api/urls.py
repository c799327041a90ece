from rest_framework.routers import SimpleRouter

from assessments.plans.api.views import ExitPlanViewSet, PlanVsActualViewSet

router = SimpleRouter()
router.register("exit-plans", ExitPlanViewSet, basename="exit-plan")
router.register("plan-vs-actual", PlanVsActualViewSet, basename="plan-vs-actual")
urlpatterns = router.urls

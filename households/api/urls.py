from rest_framework.routers import SimpleRouter

from households.api.views import HouseholdViewSet

router = SimpleRouter()
router.register("households", HouseholdViewSet, basename="household")
urlpatterns = router.urls

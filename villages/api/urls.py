from rest_framework.routers import SimpleRouter

from villages.api.views import AreaViewSet

router = SimpleRouter()
router.register("areas", AreaViewSet, basename="area")
urlpatterns = router.urls

from rest_framework.routers import SimpleRouter

from oversight.api.views import ComplaintViewSet, InspectionViewSet, RectificationItemViewSet

router = SimpleRouter()
router.register("inspections", InspectionViewSet, basename="inspection")
router.register("rectification-items", RectificationItemViewSet, basename="rectification-item")
router.register("complaints", ComplaintViewSet, basename="complaint")
urlpatterns = router.urls

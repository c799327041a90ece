from rest_framework.routers import SimpleRouter

from reports.api.views import QuarterlyReportViewSet

router = SimpleRouter()
router.register("reports", QuarterlyReportViewSet, basename="report")
urlpatterns = router.urls

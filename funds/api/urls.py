from django.urls import path
from rest_framework.routers import SimpleRouter

from funds.api.views import DisbursementViewSet, FundAllocationViewSet, SpendRatioView

router = SimpleRouter()
router.register("fund-allocations", FundAllocationViewSet, basename="fund-allocation")
router.register("disbursements", DisbursementViewSet, basename="disbursement")
urlpatterns = [path("spend-ratios/", SpendRatioView.as_view(), name="spend-ratios"), *router.urls]

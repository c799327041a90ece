from django.urls import path, re_path

from assessments.plans import views

app_name = "plan"
urlpatterns = [
    path("", views.PlanListView.as_view(), name="plan_list"),
    path("new/", views.PlanCreateView.as_view(), name="plan_create"),
    path("compare/", views.PlanCompareRedirectView.as_view(), name="plan_compare"),
    path("<int:pk>/", views.PlanDetailView.as_view(), name="plan_detail"),
    path("<int:pk>/edit/", views.PlanEditView.as_view(), name="plan_edit"),
    path("<int:pk>/approve/", views.PlanApproveView.as_view(), name="plan_approve"),
    path("<int:pk>/revise/", views.PlanReviseView.as_view(), name="plan_revise"),
    re_path(r"^(?P<area_code>\d{12})/(?P<year>\d{4})/$", views.PlanVsActualView.as_view(), name="plan_vs_actual"),
]

from django.urls import path, re_path

from assessments import views_plan

app_name = "plan"
urlpatterns = [
    path("", views_plan.PlanListView.as_view(), name="plan_list"),
    path("new/", views_plan.PlanCreateView.as_view(), name="plan_create"),
    path("compare/", views_plan.PlanCompareRedirectView.as_view(), name="plan_compare"),
    path("<int:pk>/", views_plan.PlanDetailView.as_view(), name="plan_detail"),
    path("<int:pk>/edit/", views_plan.PlanEditView.as_view(), name="plan_edit"),
    path("<int:pk>/approve/", views_plan.PlanApproveView.as_view(), name="plan_approve"),
    path("<int:pk>/revise/", views_plan.PlanReviseView.as_view(), name="plan_revise"),
    re_path(r"^(?P<area_code>\d{12})/(?P<year>\d{4})/$", views_plan.PlanVsActualView.as_view(), name="plan_vs_actual"),
]

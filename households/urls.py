from django.urls import path

from households.views import books, edit, medical, records

app_name = "households"
urlpatterns = [
    path("", records.HouseholdListView.as_view(), name="list"),
    path("new/", edit.HouseholdCreateView.as_view(), name="create"),
    path("<int:pk>/", records.HouseholdDetailView.as_view(), name="detail"),
    path("<int:pk>/card.pdf", records.HouseholdCardPdfView.as_view(), name="card_pdf"),
    path("<int:pk>/edit/", edit.HouseholdEditView.as_view(), name="edit"),
    path("<int:pk>/income/", edit.IncomeView.as_view(), name="income"),
    path("<int:pk>/conditions/", edit.LivingConditionsView.as_view(), name="conditions"),
    path("<int:pk>/hospital/", medical.HospitalExpenseView.as_view(), name="hospital"),
    path("<int:pk>/measures/new/", edit.HelpMeasureView.as_view(), name="measure_add"),
    path("<int:pk>/helpers/new/", edit.HelperAssignView.as_view(), name="helper_assign"),
    path("<int:pk>/visits/new/", edit.VisitView.as_view(), name="visit_add"),
    path("<int:pk>/status/", edit.StatusChangeView.as_view(), name="status"),
    path("<int:pk>/members/<int:member_pk>/remove/", edit.MemberRemoveView.as_view(), name="member_remove"),
    path("<int:pk>/phone/reveal/", records.RevealPhoneView.as_view(), name="phone_reveal"),
    path("<int:pk>/members/<int:member_pk>/reveal/", records.RevealIdNumberView.as_view(), name="member_reveal"),
    path("register/<str:code>/", books.VillageRegisterView.as_view(), name="village_register"),
    path("book/<str:code>/", books.TownshipBookView.as_view(), name="township_book"),
    path("summary/<str:code>/", books.CountySummaryView.as_view(), name="county_summary"),
]

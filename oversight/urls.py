from django.urls import path

from . import views

app_name = "oversight"
urlpatterns = [
    path("", views.LedgerView.as_view(), name="ledger"),
    path("inspections/", views.InspectionListView.as_view(), name="inspection_list"),
    path("inspections/new/", views.InspectionCreateView.as_view(), name="inspection_create"),
    path("inspections/<int:pk>/", views.InspectionDetailView.as_view(), name="inspection_detail"),
    path("inspections/<int:pk>/items/", views.InspectionAddItemsView.as_view(), name="inspection_add_items"),
    path("items/<int:pk>/", views.ItemDetailView.as_view(), name="item_detail"),
    path("items/<int:pk>/do/<str:action>/", views.ItemActionView.as_view(), name="item_action"),
    path("notes/<int:pk>/evidence/", views.EvidenceDownloadView.as_view(), name="evidence"),
    path("complaints/", views.ComplaintListView.as_view(), name="complaint_list"),
    path("complaints/new/", views.ComplaintCreateView.as_view(), name="complaint_create"),
    path("complaints/<int:pk>/", views.ComplaintDetailView.as_view(), name="complaint_detail"),
    path("complaints/<int:pk>/contact/", views.ComplaintContactRevealView.as_view(), name="complaint_contact"),
    path("complaints/<int:pk>/do/<str:action>/", views.ComplaintActionView.as_view(), name="complaint_action"),
]

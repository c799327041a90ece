from django.urls import path

from villages import views

app_name = "villages"
urlpatterns = [
    path("", views.AreaListView.as_view(), name="area_list"),
    path("<str:code>/", views.AreaDetailView.as_view(), name="area_detail"),
]

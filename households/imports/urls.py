app_name = "household_imports"
urlpatterns = []

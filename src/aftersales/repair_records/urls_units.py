from django.urls import path

from aftersales.repair_records import views

# Mounted at /units/ by the site's URL configuration, before the console's catch-all.
app_name = "unit_history"
urlpatterns = [
    path("<path:serial>/history/", views.unit_history, name="history"),
]

from django.urls import path

from aftersales.repair_records import portal_views

app_name = "repair_records_portal"
urlpatterns = [
    path("<str:token>/", portal_views.confirm, name="confirm"),
]

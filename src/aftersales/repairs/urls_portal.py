from django.urls import path

from aftersales.repairs import portal_views

app_name = "repairs_portal"
urlpatterns = [
    path("<str:token>/", portal_views.consent, name="consent"),
]

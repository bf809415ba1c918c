from django.urls import path

from aftersales.complaints import portal_views

app_name = "complaints_portal"
urlpatterns = [
    path("<str:token>/", portal_views.page, name="page"),
]

from django.urls import path

from aftersales.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("submit/", views.submit, name="submit"),
    path("receipt/<str:token>/", views.receipt, name="receipt"),
    path("track/", views.track, name="track"),
]

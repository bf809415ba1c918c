from django.urls import path

from aftersales.surveys import views

app_name = "surveys"
urlpatterns = [
    path("", views.satisfaction, name="satisfaction"),
]

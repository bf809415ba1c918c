from django.urls import path

from aftersales.dashboards import views

app_name = "dashboards"
urlpatterns = [
    path("", views.manager, name="manager"),
    path("people/", views.people, name="people"),
    path("teams/", views.teams, name="teams"),
]

from django.urls import path

from aftersales.dispatch import views

app_name = "dispatch"
urlpatterns = [
    path("<str:number>/auto-assign/", views.auto_assign, name="auto_assign"),
]

from django.urls import path

from aftersales.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.notification_list, name="list"),
    path("read/", views.notifications_read, name="read"),
]

from django.urls import path

from aftersales.mailin import views

app_name = "mailin"

urlpatterns = [
    path("<int:message_id>/original/", views.message_raw, name="raw"),
]

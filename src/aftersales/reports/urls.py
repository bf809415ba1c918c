from django.urls import path

from aftersales.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.report_list, name="list"),
    path("<int:report_id>/download/", views.report_download, name="download"),
]

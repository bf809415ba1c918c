from django.urls import path

from aftersales.followups import views

app_name = "followups"
urlpatterns = [
    path("", views.followup_list, name="list"),
    path("export.csv", views.followup_export, {"fmt": "csv"}, name="export"),
    path("export.xlsx", views.followup_export, {"fmt": "xlsx"}, name="export_xlsx"),
    path("<int:pk>/", views.followup_detail, name="detail"),
    path("<int:pk>/<slug:action>/", views.followup_action, name="action"),
]

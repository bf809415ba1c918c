from django.urls import path

from aftersales.imports import views

app_name = "imports"
urlpatterns = [
    path("", views.import_list, name="list"),
    path("<int:pk>/", views.import_detail, name="detail"),
    path("<int:pk>/confirm/", views.import_confirm, name="confirm"),
    path("<int:pk>/errors.csv", views.import_errors, name="errors"),
    path("template/<str:kind>.<str:file_format>", views.import_template, name="template"),
]

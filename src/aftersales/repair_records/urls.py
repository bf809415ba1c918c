from django.urls import path

from aftersales.repair_records import views

app_name = "repair_records"
urlpatterns = [
    path("", views.record_list, name="list"),
    path("export.csv", views.record_export, {"fmt": "csv"}, name="export"),
    path("export.xlsx", views.record_export, {"fmt": "xlsx"}, name="export_xlsx"),
    path("requests/<str:number>/records/", views.record_create, name="create"),
    path("requests/<str:number>/confirmation/", views.confirmation_record, name="confirmation"),
    path("records/<int:record_id>/edit/", views.record_edit, name="edit"),
    path("records/<int:record_id>/parts/", views.part_add, name="part_add"),
    path("records/<int:record_id>/photos/", views.photos_add, name="photos_add"),
    path("records/<int:record_id>/pdf/", views.record_pdf, name="pdf"),
]

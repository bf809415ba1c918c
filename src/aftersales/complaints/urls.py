from django.urls import path

from aftersales.complaints import views

app_name = "complaints"
urlpatterns = [
    path("", views.complaint_list, name="list"),
    path("export.csv", views.complaint_export, {"fmt": "csv"}, name="export"),
    path("export.xlsx", views.complaint_export, {"fmt": "xlsx"}, name="export_xlsx"),
    path("new/", views.complaint_register, name="new"),
    path("register/<str:number>/", views.complaint_register, name="register"),
    path("<int:pk>/", views.complaint_detail, name="detail"),
    path("<int:pk>/<str:step>/", views.complaint_step, name="step"),
    path("proposals/<int:proposal_id>/pdf/", views.agreement_pdf, name="pdf"),
]

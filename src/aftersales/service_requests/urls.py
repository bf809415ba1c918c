from django.urls import path, register_converter

from aftersales.service_requests import views, views_dispatch


class ServiceNumberConverter:
    """A service number as typed (any case, full-width digits): it has a digit in it.

    The console sits at the site root, before /admin/, /portal/ and /accounts/ in the URL
    configuration; a bare `str` would take those words for service numbers.
    """

    regex = r"[^/]*[0-9０-９][^/]*"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ServiceNumberConverter, "service_number")

app_name = "service_requests"
urlpatterns = [
    path("", views.request_list, name="list"),
    path("new/", views.request_new, name="new"),
    path("export.csv", views.request_export, {"fmt": "csv"}, name="export"),
    path("export.xlsx", views.request_export, {"fmt": "xlsx"}, name="export_xlsx"),
    path("customers/lookup/", views.customer_lookup, name="customer_lookup"),
    path("assignments/", views_dispatch.assignment_table, name="assignments"),
    path(
        "assignments/export.csv",
        views_dispatch.assignment_export,
        {"fmt": "csv"},
        name="assignments_export",
    ),
    path(
        "assignments/export.xlsx",
        views_dispatch.assignment_export,
        {"fmt": "xlsx"},
        name="assignments_export_xlsx",
    ),
    path("<service_number:number>/", views.request_detail, name="detail"),
    path("<service_number:number>/act/<str:action>/", views.request_act, name="act"),
    path("<service_number:number>/comments/", views.request_comment, name="comment"),
    path("<service_number:number>/edit/", views.request_edit, name="edit"),
    path(
        "<service_number:number>/task-force/add/",
        views_dispatch.participant_add,
        name="participant_add",
    ),
    path(
        "<service_number:number>/task-force/remove/",
        views_dispatch.participant_remove,
        name="participant_remove",
    ),
    path(
        "<service_number:number>/attachments/<int:attachment_id>/",
        views.attachment_download,
        name="attachment",
    ),
]

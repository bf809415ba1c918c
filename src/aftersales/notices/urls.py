from django.urls import path

from aftersales.notices import views

app_name = "notices"
urlpatterns = [
    path("templates/", views.template_list, name="templates"),
    path(
        "templates/<slug:event>/<slug:channel>/<str:language>/",
        views.template_edit,
        name="edit",
    ),
    path(
        "templates/<slug:event>/<slug:channel>/<str:language>/preview/",
        views.template_preview,
        name="preview",
    ),
    path("retry/<str:number>/<int:pk>/", views.message_retry, name="retry"),
    path("optional/<str:token>/", views.optional_stop, name="optional"),
]

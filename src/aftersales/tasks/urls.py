from django.urls import path

from aftersales.tasks import views

app_name = "tasks"
urlpatterns = [
    path("", views.task_list, name="list"),
    path("<int:pk>/", views.task_detail, name="detail"),
    path("<int:pk>/<slug:action>/", views.task_action, name="action"),
]

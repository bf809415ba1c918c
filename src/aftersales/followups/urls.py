from django.urls import path

from aftersales.followups import views

app_name = "followups"
urlpatterns = [
    path("", views.followup_list, name="list"),
    path("<int:pk>/", views.followup_detail, name="detail"),
    path("<int:pk>/<slug:action>/", views.followup_action, name="action"),
]

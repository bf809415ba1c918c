from django.urls import path

from aftersales.surveys import portal_views

app_name = "surveys_portal"
urlpatterns = [
    path("<str:token>/", portal_views.answer, name="answer"),
]

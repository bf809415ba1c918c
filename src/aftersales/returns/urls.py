from django.urls import path

from aftersales.returns import views

app_name = "returns"
urlpatterns = [
    path("", views.rma_list, name="rma_list"),
    path("<int:pk>/", views.rma_detail, name="rma_detail"),
    path("<int:pk>/<str:step>/", views.rma_step, name="step"),
    path("request/<str:number>/authorise/", views.rma_authorise, name="authorise"),
]

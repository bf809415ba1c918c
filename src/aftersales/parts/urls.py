from django.urls import path

from aftersales.parts import views

app_name = "parts"
urlpatterns = [
    path("", views.part_list, name="part_list"),
    path("<int:pk>/", views.part_detail, name="part_detail"),
    path("warehouses/", views.warehouse_list, name="warehouse_list"),
    path("warehouses/<int:pk>/", views.warehouse_detail, name="warehouse_detail"),
    path("warehouses/<int:pk>/receive/", views.stock_receive, name="receive"),
    path("warehouses/<int:pk>/adjust/", views.stock_adjust, name="adjust"),
    path("warehouses/<int:pk>/transfer/", views.stock_transfer, name="transfer"),
]

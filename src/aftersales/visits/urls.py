from django.urls import path

from aftersales.visits import views

app_name = "visits"
urlpatterns = [
    path("today/", views.today, name="today"),
    path("schedule/", views.schedule, name="schedule"),
    path("book/", views.book, name="book"),
    path("leave/", views.leave, name="leave"),
    path("leave/<int:pk>/delete/", views.leave_remove, name="leave_delete"),
    path("<int:pk>/reschedule/", views.reschedule, name="reschedule"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/<slug:step>/", views.visit_step, name="step"),
]

from django.urls import path

from aftersales.quality import views

app_name = "quality"
urlpatterns = [
    path("", views.problem_list, name="list"),
    path("new/", views.problem_new, name="new"),
    path("spikes/", views.spike_list, name="spikes"),
    path("spikes/open/", views.spike_open, name="spike_open"),
    path("usage/", views.usage, name="usage"),
    path("<str:number>/", views.problem_detail, name="detail"),
    path("<str:number>/edit/", views.problem_edit, name="edit"),
    path("<str:number>/root-cause/", views.problem_root_cause, name="root_cause"),
    path("<str:number>/actions/", views.action_add, name="action_add"),
    path(
        "<str:number>/actions/<int:action_id>/<slug:step>/",
        views.action_step,
        name="action_step",
    ),
    path("<str:number>/requests/<slug:verb>/", views.problem_link, name="link"),
    path("<str:number>/<slug:step>/", views.problem_step, name="step"),
]

from django.urls import path

from aftersales.repairs import views

app_name = "repairs"
urlpatterns = [
    path("approvals/", views.approvals, name="approvals"),
    path("<str:number>/diagnosis/", views.diagnosis_record, name="diagnosis"),
    path("<str:number>/plans/", views.plan_create, name="plan_create"),
    path("plans/<int:plan_id>/edit/", views.plan_edit, name="plan_edit"),
    path("plans/<int:plan_id>/submit/", views.plan_submit, name="plan_submit"),
    path(
        "plans/<int:plan_id>/approve/",
        views.plan_decide,
        {"decision": "approve"},
        name="plan_approve",
    ),
    path(
        "plans/<int:plan_id>/reject/", views.plan_decide, {"decision": "reject"}, name="plan_reject"
    ),
    path("plans/<int:plan_id>/consent/", views.plan_consent, name="plan_consent"),
]

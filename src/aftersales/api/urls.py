from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from aftersales.accounts.api import TeamViewSet, TokenApi, UserViewSet
from aftersales.api.health import HealthApi
from aftersales.catalog.api import ProductViewSet, UnitViewSet
from aftersales.complaints import api as complaints
from aftersales.customers.api import CustomerViewSet
from aftersales.dispatch import api as dispatch
from aftersales.followups import api as followups
from aftersales.imports import api as imports
from aftersales.metrics import api as metrics
from aftersales.parts import api as parts
from aftersales.portal.api import TrackApi
from aftersales.quality.api import ProblemRecordViewSet
from aftersales.repair_records import api as repair_records
from aftersales.repairs import api as repairs
from aftersales.reports import api as reports
from aftersales.returns import api as returns
from aftersales.service_requests import api as sr
from aftersales.service_requests import api_dispatch as sr_dispatch
from aftersales.sla.api import CalendarViewSet, EscalationRuleViewSet, SlaPolicyViewSet
from aftersales.surveys import api as surveys
from aftersales.tasks.api import TaskViewSet
from aftersales.visits import api as visits
from aftersales.webhooks import api as webhooks

router = SimpleRouter()
router.register("customers", CustomerViewSet, basename="customer")
router.register("products", ProductViewSet, basename="product")
router.register("units", UnitViewSet, basename="unit")
router.register("parts", parts.PartViewSet, basename="part")
router.register("warehouses", parts.WarehouseViewSet, basename="warehouse")
router.register("stock-levels", parts.StockLevelViewSet, basename="stock-level")
router.register("stock-movements", parts.StockMovementViewSet, basename="stock-movement")
router.register("stock-reservations", parts.StockReservationViewSet, basename="stock-reservation")
router.register("users", UserViewSet, basename="user")
router.register("teams", TeamViewSet, basename="team")
router.register("calendars", CalendarViewSet, basename="calendar")
router.register("sla-policies", SlaPolicyViewSet, basename="sla-policy")
router.register("escalation-rules", EscalationRuleViewSet, basename="escalation-rule")
router.register("approval-rules", repairs.ApprovalRuleViewSet, basename="approval-rule")
router.register("routing-rules", dispatch.RoutingRuleViewSet, basename="routing-rule")
router.register(
    "technician-profiles", dispatch.TechnicianProfileViewSet, basename="technician-profile"
)
router.register("visits", visits.VisitViewSet, basename="visit")
router.register("tasks", TaskViewSet, basename="task")
router.register("problem-records", ProblemRecordViewSet, basename="problem-record")
router.register("leaves", visits.LeaveViewSet, basename="leave")
router.register("follow-ups", followups.FollowUpViewSet, basename="follow-up")
router.register("surveys", surveys.InvitationViewSet, basename="survey")
router.register("survey-questions", surveys.QuestionViewSet, basename="survey-question")
router.register("webhooks", webhooks.WebhookViewSet, basename="webhook")

NUMBER = "<str:number>"

v1 = [
    path("auth/token/", TokenApi.as_view(), name="auth-token"),
    path("health/", HealthApi.as_view(), name="health"),
    path("track/<str:number>/", TrackApi.as_view(), name="track"),
    path("service-requests/", sr.ServiceRequestListCreateApi.as_view(), name="service-requests"),
    path(
        "service-requests/export/",
        sr.ServiceRequestExportApi.as_view(),
        name="service-requests-export",
    ),
    path(
        f"service-requests/{NUMBER}/", sr.ServiceRequestDetailApi.as_view(), name="service-request"
    ),
    path(
        f"service-requests/{NUMBER}/events/",
        sr.ServiceRequestEventsApi.as_view(),
        name="service-request-events",
    ),
    path(
        f"service-requests/{NUMBER}/comments/",
        sr.ServiceRequestCommentsApi.as_view(),
        name="service-request-comments",
    ),
    path(
        f"service-requests/{NUMBER}/attachments/",
        sr.ServiceRequestAttachmentsApi.as_view(),
        name="service-request-attachments",
    ),
    path(
        f"service-requests/{NUMBER}/attachments/<int:attachment_id>/",
        sr.AttachmentDownloadApi.as_view(),
        name="service-request-attachment",
    ),
    path(
        f"service-requests/{NUMBER}/auto-assign/",
        dispatch.AutoAssignApi.as_view(),
        name="service-request-auto-assign",
    ),
    path(
        f"service-requests/{NUMBER}/assignments/",
        sr_dispatch.RequestAssignmentsApi.as_view(),
        name="service-request-assignments",
    ),
    path(
        f"service-requests/{NUMBER}/participants/",
        sr_dispatch.ParticipantsApi.as_view(),
        name="service-request-participants",
    ),
    path(
        f"service-requests/{NUMBER}/participants/<str:username>/",
        sr_dispatch.ParticipantDetailApi.as_view(),
        name="service-request-participant",
    ),
    path(
        f"service-requests/{NUMBER}/diagnosis/",
        repairs.DiagnosisApi.as_view(),
        name="service-request-diagnosis",
    ),
    path(
        f"service-requests/{NUMBER}/plans/",
        repairs.RequestPlansApi.as_view(),
        name="service-request-plans",
    ),
    path("plans/<int:plan_id>/", repairs.PlanDetailApi.as_view(), name="plan"),
    path("plans/<int:plan_id>/submit/", repairs.PlanSubmitApi.as_view(), name="plan-submit"),
    path("plans/<int:plan_id>/approve/", repairs.PlanApproveApi.as_view(), name="plan-approve"),
    path("plans/<int:plan_id>/reject/", repairs.PlanRejectApi.as_view(), name="plan-reject"),
    path("plans/<int:plan_id>/consent/", repairs.PlanConsentApi.as_view(), name="plan-consent"),
    path("approvals/pending/", repairs.PendingApprovalsApi.as_view(), name="approvals-pending"),
    path("assignments/", sr_dispatch.AssignmentListApi.as_view(), name="assignments"),
    path(
        "assignments/export/", sr_dispatch.AssignmentExportApi.as_view(), name="assignments-export"
    ),
    # Before the lifecycle actions, whose route takes any word after the number.
    path(
        f"service-requests/{NUMBER}/rma/",
        returns.RequestRmaApi.as_view(),
        name="service-request-rma",
    ),
    path(
        f"service-requests/{NUMBER}/repair-records/",
        repair_records.RequestRepairRecordsApi.as_view(),
        name="service-request-repair-records",
    ),
    path(
        f"service-requests/{NUMBER}/confirmation/",
        repair_records.RequestConfirmationApi.as_view(),
        name="service-request-confirmation",
    ),
    path(
        "repair-records/export/",
        repair_records.RepairRecordExportApi.as_view(),
        name="repair-records-export",
    ),
    path(
        "repair-records/<int:record_id>/",
        repair_records.RepairRecordDetailApi.as_view(),
        name="repair-record",
    ),
    path(
        "repair-records/<int:record_id>/parts/",
        repair_records.RepairRecordPartsApi.as_view(),
        name="repair-record-parts",
    ),
    path(
        "repair-records/<int:record_id>/photos/",
        repair_records.RepairRecordPhotosApi.as_view(),
        name="repair-record-photos",
    ),
    path(
        "repair-records/<int:record_id>/pdf/",
        repair_records.RepairRecordPdfApi.as_view(),
        name="repair-record-pdf",
    ),
    path(
        "units/<int:unit_id>/history/", repair_records.UnitHistoryApi.as_view(), name="unit-history"
    ),
    path(
        f"service-requests/{NUMBER}/<str:action>/",
        sr.ServiceRequestActionApi.as_view(),
        name="service-request-action",
    ),
    path("imports/", imports.ImportListApi.as_view(), name="imports"),
    path("imports/<int:pk>/", imports.ImportDetailApi.as_view(), name="import"),
    path("imports/<int:pk>/confirm/", imports.ImportConfirmApi.as_view(), name="import-confirm"),
    path("rmas/", returns.RmaListApi.as_view(), name="rmas"),
    path("rmas/<int:pk>/", returns.RmaDetailApi.as_view(), name="rma"),
    path("rmas/<int:pk>/ship-in/", returns.RmaShipInApi.as_view(), name="rma-ship-in"),
    path("rmas/<int:pk>/receive/", returns.RmaReceiveApi.as_view(), name="rma-receive"),
    path("rmas/<int:pk>/inspect/", returns.RmaInspectApi.as_view(), name="rma-inspect"),
    path("rmas/<int:pk>/refund/", returns.RmaRefundApi.as_view(), name="rma-refund"),
    path("rmas/<int:pk>/replace/", returns.RmaReplaceApi.as_view(), name="rma-replace"),
    path("rmas/<int:pk>/ship-out/", returns.RmaShipOutApi.as_view(), name="rma-ship-out"),
    path("rmas/<int:pk>/cancel/", returns.RmaCancelApi.as_view(), name="rma-cancel"),
    path(
        "units/<int:pk>/eligibility/",
        returns.UnitEligibilityApi.as_view(),
        name="unit-eligibility",
    ),
    path(
        "technicians/<str:username>/free-slots/",
        visits.TechnicianFreeSlotsApi.as_view(),
        name="technician-free-slots",
    ),
    path("follow-ups/export/", followups.FollowUpExportApi.as_view(), name="follow-ups-export"),
    path("complaints/", complaints.ComplaintListApi.as_view(), name="complaints"),
    path("complaints/export/", complaints.ComplaintExportApi.as_view(), name="complaints-export"),
    path("complaints/<int:pk>/", complaints.ComplaintDetailApi.as_view(), name="complaint"),
    path(
        "complaints/<int:pk>/contacts/",
        complaints.ComplaintContactsApi.as_view(),
        name="complaint-contacts",
    ),
    path(
        "complaints/<int:pk>/investigation/",
        complaints.ComplaintInvestigationApi.as_view(),
        name="complaint-investigation",
    ),
    path(
        "complaints/<int:pk>/proposals/",
        complaints.ComplaintProposalsApi.as_view(),
        name="complaint-proposals",
    ),
    path(
        "complaints/<int:pk>/satisfaction/",
        complaints.ComplaintSatisfactionApi.as_view(),
        name="complaint-satisfaction",
    ),
    path(
        "complaints/<int:pk>/close/", complaints.ComplaintCloseApi.as_view(), name="complaint-close"
    ),
    path(
        "complaint-proposals/<int:proposal_id>/",
        complaints.ProposalDetailApi.as_view(),
        name="complaint-proposal",
    ),
    *[
        path(
            f"complaint-proposals/<int:proposal_id>/{step}/",
            view.as_view(),
            name=f"complaint-proposal-{step}",
        )
        for step, view in [
            ("submit", complaints.ProposalSubmitApi),
            ("approve", complaints.ProposalApproveApi),
            ("send-back", complaints.ProposalSendBackApi),
            ("offer", complaints.ProposalOfferApi),
            ("decline", complaints.ProposalDeclineApi),
            ("paper-agreement", complaints.ProposalPaperApi),
            ("pdf", complaints.ProposalPdfApi),
        ]
    ],
    path(
        "webhook-deliveries/<int:pk>/retry/",
        webhooks.DeliveryRetryApi.as_view(),
        name="webhook-delivery-retry",
    ),
    path("stock/receive/", parts.StockReceiveApi.as_view(), name="stock-receive"),
    path("stock/adjust/", parts.StockAdjustApi.as_view(), name="stock-adjust"),
    path("stock/transfer/", parts.StockTransferApi.as_view(), name="stock-transfer"),
    path("stock/consume/", parts.StockConsumeDirectApi.as_view(), name="stock-consume"),
    path("metrics/", metrics.MetricsApi.as_view(), name="metrics"),
    path("metrics/daily/", metrics.MetricsDailyApi.as_view(), name="metrics-daily"),
    path("reports/monthly/", reports.MonthlyReportApi.as_view(), name="reports-monthly"),
    path("", include(router.urls)),
]

app_name = "api"
# The API authenticates itself (token or session) and answers 401/403 in JSON, so the
# pages' login redirect does not apply here.
urlpatterns = [
    path("v1/", include(v1)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
]


def _exempt(patterns):  # type: ignore[no-untyped-def]
    for pattern in patterns:
        if hasattr(pattern, "url_patterns"):
            _exempt(pattern.url_patterns)
        else:
            pattern.callback = login_not_required(pattern.callback)


_exempt(urlpatterns)

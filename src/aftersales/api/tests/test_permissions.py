"""Every role × every API route: the expected status, and nothing leaks (RELIABILITY S01).

A route without an entry in MATRIX fails `test_every_route_has_an_entry`.
"""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import get_resolver
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from aftersales.catalog.models import Product, Unit
from aftersales.service_requests import services
from aftersales.service_requests.tests.factories import make_request

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
ROLES = [
    "anonymous",
    "customer_user",
    "other_customer_user",
    "agent",
    "technician",
    "other_technician",
    "supervisor",
    "department",
    "analyst",
    "admin_user",
]
STAFF_READ = {"agent": 200, "technician": 200, "supervisor": 200, "analyst": 200, "admin_user": 200}
ALL_AUTH = dict.fromkeys(ROLES[1:], 200)


def row(default: int, **overrides: int) -> dict[str, int]:
    expected = dict.fromkeys(ROLES, default)
    expected["anonymous"] = overrides.pop("anonymous", 401)
    expected.update(overrides)
    return expected


# Seeing request R (customer A, team A, assigned to tech1): 200, else 404 (never 403: no enumeration).
SEE_R = row(
    404, customer_user=200, agent=200, technician=200, supervisor=200, analyst=200, admin_user=200
)
WORK_R = row(
    404, agent=200, technician=200, supervisor=200, admin_user=200, customer_user=403, analyst=403
)
COMMENT_R = row(
    404, agent=201, technician=201, supervisor=201, admin_user=201, customer_user=201, analyst=403
)
CREATE_SR = row(
    403,
    customer_user=201,
    other_customer_user=201,
    agent=201,
    technician=201,
    other_technician=201,
    supervisor=201,
    admin_user=201,
)
DIRECTORY_WRITE = row(403, agent=201, supervisor=201, admin_user=201)
ADMIN_ONLY = row(403, admin_user=200)
STAFF_ONLY = row(200, customer_user=403, other_customer_user=403)
DIRECTORY_CHANGE = row(403, agent=200, supervisor=200, admin_user=200)
# Staff who see R; its customer is refused (how it is assigned is a staff matter).
STAFF_SEE_R = row(
    404, agent=200, technician=200, supervisor=200, analyst=200, admin_user=200, customer_user=403
)
DISPATCH_R = row(
    404, agent=200, supervisor=200, admin_user=200, technician=403, analyst=403, customer_user=403
)
# Dispatchers and R's owner (tech1) form its task force.
TASK_FORCE_R = row(
    404, agent=204, technician=204, supervisor=204, admin_user=204, analyst=403, customer_user=403
)
STOCK_MANAGE = row(403, supervisor=200, admin_user=200)
# Parts for request R: those who work it; tech2 cannot see R, so its number is unknown to them.
USE_FOR_R = row(
    403, agent=201, technician=201, supervisor=201, admin_user=201, other_technician=400
)
USE_RESERVATION_R = row(
    403, agent=200, technician=200, supervisor=200, admin_user=200, other_technician=404
)
# R's draft plan: staff who see R read it (its customer does not: it is not offered yet);
# those who work R may act, and are then told the draft or R is not in the state for it.
PLAN_R = row(404, agent=200, technician=200, supervisor=200, analyst=200, admin_user=200)
PLAN_ACT_R = row(
    404,
    agent=409,
    technician=409,
    supervisor=409,
    admin_user=409,
    analyst=403,
    other_customer_user=404,
)
DECIDE_R = row(
    404,
    agent=403,
    technician=403,
    supervisor=409,
    admin_user=409,
    analyst=403,
    other_customer_user=404,
)
# R's visit (tech1 on it): its dispatchers move and cancel it, tech1 works it; those who
# see R but may not are refused, the others do not learn it exists.
VISIT_DISPATCH_R = row(
    404, agent=200, supervisor=200, admin_user=200, technician=403, analyst=403, customer_user=403
)
VISIT_WORK_R = row(
    404, technician=200, agent=403, supervisor=403, admin_user=403, analyst=403, customer_user=403
)
# R's RMA (received, waiting for inspection): its dispatchers decide and carry it out,
# those who work R inspect, R's customer tells us the tracking number; a step out of order
# is 409 for those who may take it, so the row shows who got past the permission check.
RMA_DECIDE_R = row(
    404, agent=409, supervisor=409, admin_user=409, technician=403, analyst=403, customer_user=403
)
RMA_SHIP_IN_R = {**RMA_DECIDE_R, "customer_user": 409}
# A task on R for team B (R&D: qc1 and tech2), opened by agent1: staff who see R or are in
# team B see it; team B works it; its opener and admins manage it; customers have no tasks.
TASK_SEE = row(200, customer_user=403, other_customer_user=403)
TASK_WORK = row(
    403, agent=200, other_technician=200, department=200, admin_user=200, technician=403
)
TASK_MANAGE = row(403, agent=200, admin_user=200)
# Taking it: team B's members; its opener and admins may act but are not in team B (400).
TASK_TAKE = {**TASK_WORK, "agent": 400, "admin_user": 400}
# Giving it to qc1: its opener and admins may; qc1 takes it for themself.
TASK_ASSIGN = row(403, agent=200, admin_user=200, department=200)
RMA_CANCEL_R = {**RMA_DECIDE_R, **{k: 200 for k, v in RMA_DECIDE_R.items() if v == 409}}

# Repair records of R: those who work R write them, whoever sees R reads them (and its
# customer prints them); R is not resolved, so its customer's answer is not taken yet.
WRITE_RECORD_R = {**WORK_R, **{k: 201 for k, v in WORK_R.items() if v == 200}}
CONFIRM_R = row(
    404, agent=409, supervisor=409, admin_user=409, customer_user=409, technician=403, analyst=403
)

# A complaint (a request of its own, routed to the complaint team, which lead1 does not lead)
# with a draft proposal by agent1: staff who see every request read it; those who work it
# act; a supervisor of that request (admins here) decides; a step out of order is 409.
SEE_C = row(404, agent=200, analyst=200, admin_user=200, department=404)
WORK_C = row(404, agent=200, admin_user=200, analyst=403)
DECIDE_C = row(404, admin_user=409, agent=403, analyst=403)
OUT_OF_ORDER_C = row(404, agent=409, admin_user=409, analyst=403)

# R's follow-up and survey link: agents and admins run it, and lead1 (who supervises R);
# tech1 sees it (R is theirs), analysts read; department staff and customers have none.
FOLLOWUP_SEE = row(
    403,
    agent=200,
    technician=200,
    supervisor=200,
    analyst=200,
    admin_user=200,
    other_technician=404,
)
FOLLOWUP_RUN = {**FOLLOWUP_SEE, "technician": 403, "analyst": 403}
FOLLOWUP_LIST = row(
    403,
    agent=200,
    technician=200,
    other_technician=200,
    supervisor=200,
    analyst=200,
    admin_user=200,
)
SURVEY_SEE = {**FOLLOWUP_SEE, "department": 404}
SURVEY_MEASURES = row(403, supervisor=200, analyst=200, admin_user=200)

# A problem record owned by team B (R&D: qc1 is its department staff), opened by lead1, with
# an action owned by qc1; R is not linked. Staff read it; supervisors and admins manage it;
# team B's department works it; agents and technicians link requests they see (tech2 does
# not see R, nor does qc1: 400 naming the request); analysts read; customers have none.
PROBLEM_SEE = row(200, customer_user=403, other_customer_user=403)
PROBLEM_MANAGE = row(403, supervisor=200, admin_user=200)
PROBLEM_WORK = row(403, supervisor=200, admin_user=200, department=200)
PROBLEM_LINK = row(
    403,
    agent=200,
    technician=200,
    other_technician=400,
    supervisor=200,
    admin_user=200,
    department=400,
)
# Unlinking R, which is not linked: those past the permission check are told so.
PROBLEM_UNLINK = {**PROBLEM_LINK, **{k: 400 for k, v in PROBLEM_LINK.items() if v == 200}}
PROBLEM_REPORTS = row(403, supervisor=200, department=200, analyst=200, admin_user=200)

# Imports: administrators, and supervisors for customers and units (the job is of customers).
IMPORTERS = row(403, admin_user=200, supervisor=200)

# The measures: analysts and admins (every request), supervisors (their teams' requests).
MEASURES = row(403, supervisor=200, analyst=200, admin_user=200)

MATRIX = {
    # name: (method, path template, payload kind, expected)
    "complaints": (
        "get",
        "/api/v1/complaints/",
        None,
        row(200, customer_user=403, other_customer_user=403, department=403),
    ),
    "complaints:post": (
        "post",
        "/api/v1/complaints/",
        "complaint",
        row(403, agent=201, supervisor=201, admin_user=201),
    ),
    "complaint": ("get", "/api/v1/complaints/{complaint}/", None, SEE_C),
    "complaint-contacts": (
        "post",
        "/api/v1/complaints/{complaint}/contacts/",
        "complaint_contact",
        {**WORK_C, "agent": 201, "admin_user": 201},
    ),
    "complaint-investigation": (
        "post",
        "/api/v1/complaints/{complaint}/investigation/",
        "investigation",
        WORK_C,
    ),
    "complaint-proposals": (
        "post",
        "/api/v1/complaints/{complaint}/proposals/",
        "proposal",
        {**WORK_C, "agent": 201, "admin_user": 201},
    ),
    "complaint-satisfaction": (
        "post",
        "/api/v1/complaints/{complaint}/satisfaction/",
        "confirmation",
        OUT_OF_ORDER_C,
    ),
    "complaint-close": (
        "post",
        "/api/v1/complaints/{complaint}/close/",
        "reject",
        row(404, admin_user=200, agent=403, analyst=403),
    ),
    "complaint-proposal": ("get", "/api/v1/complaint-proposals/{proposal}/", None, SEE_C),
    "complaint-proposal:put": (
        "put",
        "/api/v1/complaint-proposals/{proposal}/",
        "proposal",
        WORK_C,
    ),
    "complaint-proposal-submit": (
        "post",
        "/api/v1/complaint-proposals/{proposal}/submit/",
        "action",
        WORK_C,
    ),
    "complaint-proposal-approve": (
        "post",
        "/api/v1/complaint-proposals/{proposal}/approve/",
        "action",
        DECIDE_C,
    ),
    "complaint-proposal-send-back": (
        "post",
        "/api/v1/complaint-proposals/{proposal}/send-back/",
        "comment_c",
        DECIDE_C,
    ),
    "complaint-proposal-offer": (
        "post",
        "/api/v1/complaint-proposals/{proposal}/offer/",
        "action",
        OUT_OF_ORDER_C,
    ),
    "complaint-proposal-decline": (
        "post",
        "/api/v1/complaint-proposals/{proposal}/decline/",
        "reject",
        OUT_OF_ORDER_C,
    ),
    "complaint-proposal-paper-agreement": (
        "post",
        "/api/v1/complaint-proposals/{proposal}/paper-agreement/",
        "file",
        row(404, agent=400, admin_user=400, analyst=403),
    ),
    "complaint-proposal-pdf": ("get", "/api/v1/complaint-proposals/{proposal}/pdf/", None, SEE_C),
    "auth-token": ("post", "/api/v1/auth/token/", "token", row(200, anonymous=200)),
    "health": ("get", "/api/v1/health/", None, row(200, anonymous=200)),
    "track": ("get", "/api/v1/track/{number}/?contact=13800138000", None, row(200, anonymous=200)),
    "service-requests": ("get", "/api/v1/service-requests/", None, row(200)),
    "service-requests:post": ("post", "/api/v1/service-requests/", "request", CREATE_SR),
    "service-request": ("get", "/api/v1/service-requests/{number}/", None, SEE_R),
    "service-request:patch": ("patch", "/api/v1/service-requests/{number}/", "patch", WORK_R),
    "service-request-events": ("get", "/api/v1/service-requests/{number}/events/", None, SEE_R),
    "service-request-comments": ("get", "/api/v1/service-requests/{number}/comments/", None, SEE_R),
    "service-request-comments:post": (
        "post",
        "/api/v1/service-requests/{number}/comments/",
        "comment",
        COMMENT_R,
    ),
    "service-request-attachments": (
        "get",
        "/api/v1/service-requests/{number}/attachments/",
        None,
        SEE_R,
    ),
    "service-request-attachments:post": (
        "post",
        "/api/v1/service-requests/{number}/attachments/",
        "file",
        COMMENT_R,
    ),
    "service-request-attachment": (
        "get",
        "/api/v1/service-requests/{number}/attachments/{attachment}/",
        None,
        SEE_R,
    ),
    "service-request-attachment:internal": (
        "get",
        "/api/v1/service-requests/{number}/attachments/{internal_attachment}/",
        None,
        row(404, agent=200, technician=200, supervisor=200, analyst=200, admin_user=200),
    ),
    "service-request-action": (
        "post",
        "/api/v1/service-requests/{number}/start/",
        "action",
        WORK_R,
    ),
    "customer-list": ("get", "/api/v1/customers/", None, row(200)),
    "customer-list:post": ("post", "/api/v1/customers/", "customer", DIRECTORY_WRITE),
    "customer-detail": (
        "get",
        "/api/v1/customers/{customer}/",
        None,
        SEE_R,  # R's customer and unit are seen by those who see R
    ),
    "customer-detail:patch": (
        "patch",
        "/api/v1/customers/{customer}/",
        "customer_patch",
        DIRECTORY_CHANGE,
    ),
    "product-list": ("get", "/api/v1/products/", None, row(200)),
    "product-list:post": ("post", "/api/v1/products/", "product", DIRECTORY_WRITE),
    "product-detail": ("get", "/api/v1/products/{product}/", None, row(200)),
    "product-detail:patch": (
        "patch",
        "/api/v1/products/{product}/",
        "product_patch",
        DIRECTORY_CHANGE,
    ),
    "unit-list": ("get", "/api/v1/units/", None, row(200)),
    "unit-list:post": ("post", "/api/v1/units/", "unit", DIRECTORY_WRITE),
    "unit-detail": (
        "get",
        "/api/v1/units/{unit}/",
        None,
        SEE_R,  # R's customer and unit are seen by those who see R
    ),
    "unit-detail:patch": (
        "patch",
        "/api/v1/units/{unit}/",
        "unit_patch",
        DIRECTORY_CHANGE,
    ),
    "part-list": ("get", "/api/v1/parts/", None, STAFF_ONLY),
    "part-list:post": ("post", "/api/v1/parts/", "part", row(403, admin_user=201)),
    "part-detail": ("get", "/api/v1/parts/{part}/", None, STAFF_ONLY),
    "part-detail:patch": ("patch", "/api/v1/parts/{part}/", "part_patch", ADMIN_ONLY),
    "warehouse-list": ("get", "/api/v1/warehouses/", None, STAFF_ONLY),
    "warehouse-list:post": ("post", "/api/v1/warehouses/", "warehouse", row(403, admin_user=201)),
    "warehouse-detail": ("get", "/api/v1/warehouses/{warehouse}/", None, STAFF_ONLY),
    "warehouse-detail:patch": (
        "patch",
        "/api/v1/warehouses/{warehouse}/",
        "warehouse_patch",
        ADMIN_ONLY,
    ),
    "stock-level-list": ("get", "/api/v1/stock-levels/?low=true", None, STAFF_ONLY),
    "stock-level-detail": ("get", "/api/v1/stock-levels/{level}/", None, STAFF_ONLY),
    "stock-movement-list": ("get", "/api/v1/stock-movements/", None, STAFF_ONLY),
    "stock-movement-detail": ("get", "/api/v1/stock-movements/{movement}/", None, STAFF_ONLY),
    "stock-receive": ("post", "/api/v1/stock/receive/", "receive", STOCK_MANAGE),
    "stock-adjust": ("post", "/api/v1/stock/adjust/", "adjust", STOCK_MANAGE),
    "stock-transfer": ("post", "/api/v1/stock/transfer/", "transfer", STOCK_MANAGE),
    "stock-consume": ("post", "/api/v1/stock/consume/", "consume_direct", USE_FOR_R),
    "stock-reservation-list": (
        "get",
        "/api/v1/stock-reservations/?service_request={number}",
        None,
        STAFF_ONLY,
    ),
    "stock-reservation-list:post": ("post", "/api/v1/stock-reservations/", "reserve", USE_FOR_R),
    "stock-reservation-detail": (
        "get",
        "/api/v1/stock-reservations/{reservation}/",
        None,
        row(
            404,
            agent=200,
            technician=200,
            supervisor=200,
            analyst=200,
            admin_user=200,
            customer_user=403,
            other_customer_user=403,
        ),
    ),
    "stock-reservation-release": (
        "post",
        "/api/v1/stock-reservations/{reservation}/release/",
        "action",
        USE_RESERVATION_R,
    ),
    "stock-reservation-consume": (
        "post",
        "/api/v1/stock-reservations/{reservation}/consume/",
        "consume",
        USE_RESERVATION_R,
    ),
    "user-list": ("get", "/api/v1/users/", None, ADMIN_ONLY),
    "user-list:post": ("post", "/api/v1/users/", "user", row(403, admin_user=201)),
    "user-detail": ("get", "/api/v1/users/tech1/", None, ADMIN_ONLY),
    "user-detail:patch": ("patch", "/api/v1/users/tech1/", "user_patch", ADMIN_ONLY),
    "team-list": (
        "get",
        "/api/v1/teams/",
        None,
        row(200, customer_user=403, other_customer_user=403),
    ),
    "team-list:post": ("post", "/api/v1/teams/", "team", row(403, admin_user=201)),
    "team-detail": (
        "get",
        "/api/v1/teams/{team}/",
        None,
        row(200, customer_user=403, other_customer_user=403),
    ),
    "team-detail:patch": ("patch", "/api/v1/teams/{team}/", "team_patch", ADMIN_ONLY),
    "calendar-list": ("get", "/api/v1/calendars/", None, STAFF_ONLY),
    "calendar-list:post": ("post", "/api/v1/calendars/", "calendar", row(403, admin_user=201)),
    "calendar-detail": ("get", "/api/v1/calendars/{calendar}/", None, STAFF_ONLY),
    "calendar-detail:patch": ("patch", "/api/v1/calendars/{calendar}/", "team_patch", ADMIN_ONLY),
    "calendar-detail:delete": (
        "delete",
        "/api/v1/calendars/{spare_calendar}/",
        None,
        row(403, admin_user=204),
    ),
    "calendar-holiday-year": (
        "post",
        "/api/v1/calendars/{calendar}/holiday-year/",
        "notice",
        ADMIN_ONLY,
    ),
    "sla-policy-list": ("get", "/api/v1/sla-policies/", None, STAFF_ONLY),
    "sla-policy-list:post": ("post", "/api/v1/sla-policies/", "policy", row(403, admin_user=201)),
    "sla-policy-detail": ("get", "/api/v1/sla-policies/{policy}/", None, STAFF_ONLY),
    "sla-policy-detail:patch": (
        "patch",
        "/api/v1/sla-policies/{policy}/",
        "team_patch",
        ADMIN_ONLY,
    ),
    "escalation-rule-list": ("get", "/api/v1/escalation-rules/", None, STAFF_ONLY),
    "escalation-rule-list:post": (
        "post",
        "/api/v1/escalation-rules/",
        "escalation_rule",
        row(403, admin_user=201),
    ),
    "escalation-rule-detail": ("get", "/api/v1/escalation-rules/{rule}/", None, STAFF_ONLY),
    "escalation-rule-detail:patch": (
        "patch",
        "/api/v1/escalation-rules/{rule}/",
        "team_patch",
        ADMIN_ONLY,
    ),
    "escalation-rule-detail:delete": (
        "delete",
        "/api/v1/escalation-rules/{rule}/",
        None,
        row(403, admin_user=204),
    ),
    "team-detail:delete": ("delete", "/api/v1/teams/{spare_team}/", None, row(403, admin_user=204)),
    "routing-rule-list": ("get", "/api/v1/routing-rules/", None, STAFF_ONLY),
    "routing-rule-list:post": (
        "post",
        "/api/v1/routing-rules/",
        "routing_rule",
        row(403, admin_user=201),
    ),
    "routing-rule-detail": ("get", "/api/v1/routing-rules/{routing_rule}/", None, STAFF_ONLY),
    "routing-rule-detail:patch": (
        "patch",
        "/api/v1/routing-rules/{routing_rule}/",
        "team_patch",
        ADMIN_ONLY,
    ),
    "technician-profile-list": ("get", "/api/v1/technician-profiles/", None, STAFF_ONLY),
    "technician-profile-list:post": (
        "post",
        "/api/v1/technician-profiles/",
        "technician_profile",
        row(403, admin_user=201),
    ),
    "technician-profile-detail": ("get", "/api/v1/technician-profiles/tech1/", None, STAFF_ONLY),
    "technician-profile-detail:patch": (
        "patch",
        "/api/v1/technician-profiles/tech1/",
        "technician_profile_patch",
        ADMIN_ONLY,
    ),
    "service-request-auto-assign": (
        "post",
        "/api/v1/service-requests/{number}/auto-assign/",
        "action",
        DISPATCH_R,
    ),
    "service-request-assignments": (
        "get",
        "/api/v1/service-requests/{number}/assignments/",
        None,
        STAFF_SEE_R,
    ),
    "service-request-participants": (
        "get",
        "/api/v1/service-requests/{number}/participants/",
        None,
        STAFF_SEE_R,
    ),
    "service-request-participants:post": (
        "post",
        "/api/v1/service-requests/{number}/participants/",
        "participant",
        {**TASK_FORCE_R, **{k: 201 for k, v in TASK_FORCE_R.items() if v == 204}},
    ),
    "service-request-participant": (
        "delete",
        "/api/v1/service-requests/{number}/participants/helper1/",
        None,
        TASK_FORCE_R,
    ),
    "assignments": ("get", "/api/v1/assignments/?current=true", None, STAFF_ONLY),
    "service-request-diagnosis": (
        "get",
        "/api/v1/service-requests/{number}/diagnosis/",
        None,
        STAFF_SEE_R,
    ),
    "service-request-diagnosis:put": (
        "put",
        "/api/v1/service-requests/{number}/diagnosis/",
        "diagnosis",
        WORK_R,
    ),
    "service-request-plans": ("get", "/api/v1/service-requests/{number}/plans/", None, SEE_R),
    "service-request-plans:post": (
        "post",
        "/api/v1/service-requests/{number}/plans/",
        "plan",
        {**PLAN_ACT_R, "customer_user": 403},  # one plan is decided at a time: R has a draft
    ),
    "plan": ("get", "/api/v1/plans/{plan}/", None, PLAN_R),
    "plan:patch": (
        "patch",
        "/api/v1/plans/{plan}/",
        "plan_patch",
        {**PLAN_R, "analyst": 403},
    ),
    "plan-submit": ("post", "/api/v1/plans/{plan}/submit/", "action", PLAN_ACT_R),  # R not started
    "plan-approve": ("post", "/api/v1/plans/{plan}/approve/", "action", DECIDE_R),
    "plan-reject": ("post", "/api/v1/plans/{plan}/reject/", "reject", DECIDE_R),
    "plan-consent": ("post", "/api/v1/plans/{plan}/consent/", "consent", PLAN_ACT_R),
    "approvals-pending": (
        "get",
        "/api/v1/approvals/pending/",
        None,
        row(403, supervisor=200, admin_user=200),
    ),
    "approval-rule-list": ("get", "/api/v1/approval-rules/", None, STAFF_ONLY),
    "approval-rule-list:post": (
        "post",
        "/api/v1/approval-rules/",
        "approval_rule",
        row(403, admin_user=201),
    ),
    "approval-rule-detail": ("get", "/api/v1/approval-rules/{approval_rule}/", None, STAFF_ONLY),
    "approval-rule-detail:patch": (
        "patch",
        "/api/v1/approval-rules/{approval_rule}/",
        "approval_rule_patch",
        ADMIN_ONLY,
    ),
    "visit-list": ("get", "/api/v1/visits/", None, row(200)),
    "visit-list:post": (
        "post",
        "/api/v1/visits/",
        "visit",
        row(403, agent=201, supervisor=201, admin_user=201),
    ),
    "visit-detail": ("get", "/api/v1/visits/{visit}/", None, SEE_R),
    "visit-reschedule": (
        "post",
        "/api/v1/visits/{visit}/reschedule/",
        "visit_reschedule",
        {**VISIT_DISPATCH_R, **{k: 201 for k, v in VISIT_DISPATCH_R.items() if v == 200}},
    ),
    "visit-cancel": ("post", "/api/v1/visits/{visit}/cancel/", "reject", VISIT_DISPATCH_R),
    "visit-start": ("post", "/api/v1/visits/{visit}/start/", "action", VISIT_WORK_R),
    "visit-no-one-home": (
        "post",
        "/api/v1/visits/{visit}/no-one-home/",
        "no_one_home",
        VISIT_WORK_R,
    ),
    "visit-finish": ("post", "/api/v1/visits/{visit}/finish/", "action", VISIT_WORK_R),
    "technician-free-slots": (
        "get",
        "/api/v1/technicians/tech1/free-slots/?date={visit_date}",
        None,
        STAFF_ONLY,
    ),
    "leave-list": ("get", "/api/v1/leaves/", None, STAFF_ONLY),
    "leave-list:post": (
        "post",
        "/api/v1/leaves/",
        "leave",
        row(403, supervisor=201, admin_user=201),
    ),
    "leave-detail": ("get", "/api/v1/leaves/{leave}/", None, STAFF_ONLY),
    "leave-detail:delete": (
        "delete",
        "/api/v1/leaves/{leave}/",
        None,
        row(403, supervisor=204, admin_user=204),
    ),
    "assignments-export": ("get", "/api/v1/assignments/export/?format=xlsx", None, STAFF_ONLY),
    "service-requests-export": ("get", "/api/v1/service-requests/export/", None, row(200)),
    "repair-records-export": ("get", "/api/v1/repair-records/export/", None, STAFF_ONLY),
    "follow-ups-export": ("get", "/api/v1/follow-ups/export/", None, FOLLOWUP_LIST),
    "complaints-export": (
        "get",
        "/api/v1/complaints/export/?format=xlsx",
        None,
        row(200, customer_user=403, other_customer_user=403, department=403),
    ),
    "service-request-rma": ("get", "/api/v1/service-requests/{number}/rma/", None, SEE_R),
    "service-request-rma:post": (
        "post",
        "/api/v1/service-requests/{number}/rma/",
        "rma_authorise",
        RMA_DECIDE_R,
    ),
    "rmas": ("get", "/api/v1/rmas/", None, row(200)),
    "rma": ("get", "/api/v1/rmas/{rma}/", None, SEE_R),
    "rma-ship-in": ("post", "/api/v1/rmas/{rma}/ship-in/", "rma_ship", RMA_SHIP_IN_R),
    "rma-receive": ("post", "/api/v1/rmas/{rma}/receive/", "action", RMA_DECIDE_R),
    "rma-inspect": ("post", "/api/v1/rmas/{rma}/inspect/", "rma_inspect", WORK_R),
    "rma-refund": ("post", "/api/v1/rmas/{rma}/refund/", "rma_refund", RMA_DECIDE_R),
    "rma-replace": ("post", "/api/v1/rmas/{rma}/replace/", "rma_replace", RMA_DECIDE_R),
    "rma-ship-out": ("post", "/api/v1/rmas/{rma}/ship-out/", "rma_ship", RMA_DECIDE_R),
    "rma-cancel": ("post", "/api/v1/rmas/{rma}/cancel/", "reject", RMA_CANCEL_R),
    "unit-eligibility": ("get", "/api/v1/units/{unit}/eligibility/", None, SEE_R),
    "service-request-repair-records": (
        "get",
        "/api/v1/service-requests/{number}/repair-records/",
        None,
        SEE_R,
    ),
    "service-request-repair-records:post": (
        "post",
        "/api/v1/service-requests/{number}/repair-records/",
        "repair_record",
        WRITE_RECORD_R,
    ),
    "repair-record": ("get", "/api/v1/repair-records/{record}/", None, SEE_R),
    "repair-record:patch": (
        "patch",
        "/api/v1/repair-records/{record}/",
        "repair_record_patch",
        WORK_R,
    ),
    "repair-record-parts": (
        "post",
        "/api/v1/repair-records/{record}/parts/",
        "part_used",
        WRITE_RECORD_R,
    ),
    "repair-record-photos": (
        "post",
        "/api/v1/repair-records/{record}/photos/",
        "photo",
        WRITE_RECORD_R,
    ),
    "repair-record-pdf": ("get", "/api/v1/repair-records/{record}/pdf/", None, SEE_R),
    "service-request-confirmation": (
        "get",
        "/api/v1/service-requests/{number}/confirmation/",
        None,
        SEE_R,
    ),
    "service-request-confirmation:post": (
        "post",
        "/api/v1/service-requests/{number}/confirmation/",
        "confirmation",
        CONFIRM_R,
    ),
    "unit-history": ("get", "/api/v1/units/{unit}/history/", None, SEE_R),
    "task-list": ("get", "/api/v1/tasks/", None, STAFF_ONLY),
    "task-detail": ("get", "/api/v1/tasks/{task}/", None, TASK_SEE),
    "task-start": ("post", "/api/v1/tasks/{task}/start/", "action", TASK_WORK),
    "task-take": ("post", "/api/v1/tasks/{task}/take/", "action", TASK_TAKE),
    "task-assign": ("post", "/api/v1/tasks/{task}/assign/", "task_assign", TASK_ASSIGN),
    "task-finish": ("post", "/api/v1/tasks/{task}/finish/", "task_finish", TASK_WORK),
    "task-cancel": ("post", "/api/v1/tasks/{task}/cancel/", "reject", TASK_MANAGE),
    "problem-record-list": ("get", "/api/v1/problem-records/", None, PROBLEM_SEE),
    "problem-record-list:post": (
        "post",
        "/api/v1/problem-records/",
        "problem",
        {**PROBLEM_MANAGE, "supervisor": 201, "admin_user": 201},
    ),
    "problem-record-detail": ("get", "/api/v1/problem-records/{problem}/", None, PROBLEM_SEE),
    "problem-record-detail:patch": (
        "patch",
        "/api/v1/problem-records/{problem}/",
        "problem_patch",
        PROBLEM_MANAGE,
    ),
    "problem-record-transition": (
        "post",
        "/api/v1/problem-records/{problem}/transition/",
        "problem_transition",
        PROBLEM_WORK,
    ),
    "problem-record-actions": (
        "post",
        "/api/v1/problem-records/{problem}/actions/",
        "problem_action",
        {k: 201 if v == 200 else v for k, v in PROBLEM_WORK.items()},
    ),
    "problem-record-action-done": (
        "post",
        "/api/v1/problem-records/{problem}/actions/{problem_action}/done/",
        "problem_action_done",
        PROBLEM_WORK,
    ),
    "problem-record-links": (
        "post",
        "/api/v1/problem-records/{problem}/links/",
        "problem_link",
        PROBLEM_LINK,
    ),
    "problem-record-unlink": (
        "post",
        "/api/v1/problem-records/{problem}/unlink/",
        "problem_link",
        PROBLEM_UNLINK,
    ),
    "problem-record-spikes": ("get", "/api/v1/problem-records/spikes/", None, PROBLEM_REPORTS),
    "follow-up-list": ("get", "/api/v1/follow-ups/", None, FOLLOWUP_LIST),
    "follow-up-detail": ("get", "/api/v1/follow-ups/{followup}/", None, FOLLOWUP_SEE),
    "follow-up-record": (
        "post",
        "/api/v1/follow-ups/{followup}/record/",
        "followup_record",
        FOLLOWUP_RUN,
    ),
    "follow-up-assign": (
        "post",
        "/api/v1/follow-ups/{followup}/assign/",
        "followup_assign",
        FOLLOWUP_RUN,
    ),
    "follow-up-give-up": ("post", "/api/v1/follow-ups/{followup}/give-up/", "reject", FOLLOWUP_RUN),
    "follow-up-send-survey": (
        "post",
        "/api/v1/follow-ups/{followup}/send-survey/",
        "action",
        FOLLOWUP_RUN,
    ),
    "imports": ("get", "/api/v1/imports/", None, IMPORTERS),
    # No file: importers are told what is missing, the others refused first.
    "imports:post": (
        "post",
        "/api/v1/imports/",
        None,
        {**IMPORTERS, "admin_user": 400, "supervisor": 400},
    ),
    "import": ("get", "/api/v1/imports/{import_job}/", None, IMPORTERS),
    "import-confirm": ("post", "/api/v1/imports/{import_job}/confirm/", None, IMPORTERS),
    "survey-list": ("get", "/api/v1/surveys/", None, STAFF_ONLY),
    "survey-detail": ("get", "/api/v1/surveys/{invitation}/", None, SURVEY_SEE),
    "survey-summary": ("get", "/api/v1/surveys/summary/", None, SURVEY_MEASURES),
    "survey-question-list": ("get", "/api/v1/survey-questions/", None, STAFF_ONLY),
    "survey-question-list:post": (
        "post",
        "/api/v1/survey-questions/",
        "survey_question",
        row(403, admin_user=201),
    ),
    "survey-question-detail": ("get", "/api/v1/survey-questions/{question}/", None, STAFF_ONLY),
    "survey-question-detail:patch": (
        "patch",
        "/api/v1/survey-questions/{question}/",
        "survey_question_patch",
        ADMIN_ONLY,
    ),
    "metrics": ("get", "/api/v1/metrics/?group_by=team", None, MEASURES),
    "metrics-daily": ("get", "/api/v1/metrics/daily/?channel=phone", None, MEASURES),
    "reports-monthly": (
        "get",
        "/api/v1/reports/monthly/?month=2025-01&language=en",
        None,
        MEASURES,
    ),
    # Webhooks: administrators only; the secret they hold is in the answer.
    "webhook-list": ("get", "/api/v1/webhooks/", None, ADMIN_ONLY),
    "webhook-list:post": ("post", "/api/v1/webhooks/", "webhook", row(403, admin_user=201)),
    "webhook-detail": ("get", "/api/v1/webhooks/{webhook}/", None, ADMIN_ONLY),
    "webhook-detail:patch": (
        "patch",
        "/api/v1/webhooks/{webhook}/",
        "webhook_patch",
        ADMIN_ONLY,
    ),
    "webhook-detail:delete": (
        "delete",
        "/api/v1/webhooks/{webhook}/",
        None,
        row(403, admin_user=204),
    ),
    "webhook-deliveries": ("get", "/api/v1/webhooks/{webhook}/deliveries/", None, ADMIN_ONLY),
    "webhook-test": ("post", "/api/v1/webhooks/{webhook}/test/", None, ADMIN_ONLY),
    "webhook-delivery-retry": (
        "post",
        "/api/v1/webhook-deliveries/{webhook_delivery}/retry/",
        None,
        ADMIN_ONLY,
    ),
}


def _api_route_names() -> set[str]:
    api = get_resolver().namespace_dict["api"][1]
    return {name for name in api.reverse_dict if isinstance(name, str)} - {"schema", "docs"}


def test_every_route_has_an_entry():
    covered = {name.split(":")[0] for name in MATRIX}
    missing = _api_route_names() - covered
    assert not missing, f"API routes without a permission-matrix entry: {sorted(missing)}"


@pytest.fixture
def world(
    request,
    agent,
    technician,
    other_technician,
    supervisor,
    department,
    analyst,
    admin_user,
    customer_user,
    other_customer_user,
    customer_a,
    team_a,
):
    from aftersales.accounts.models import Team

    product = Product.objects.create(model="KFR-26GW", name="壁挂空调")
    unit = Unit.objects.create(product=product, customer=customer_a, serial_number="SN-R-1")
    sr = make_request(by=agent, customer=customer_a, serial_number="SN-R-1")
    sr = services.service_request_act(sr, "assign", by=agent, data={"assignee": technician})
    attachment = services.attachment_add(
        sr, by=agent, upload=SimpleUploadedFile("p.png", PNG), internal=False
    )
    internal = services.attachment_add(
        sr, by=agent, upload=SimpleUploadedFile("i.png", PNG), internal=True
    )
    services.comment_add(sr, by=agent, body="内部备注：客户脾气急", internal=True)
    spare = Team.objects.create(name="备用组")
    stock = _stock_world(sr, technician, agent)
    from aftersales.sla.models import Calendar, EscalationRule, SlaPolicy

    spare_calendar = Calendar.objects.create(name="备用日历", always_open=True)
    working_hours = Calendar.objects.get(name="工作时间")
    return {
        "number": sr.number,
        "attachment": attachment.pk,
        "internal_attachment": internal.pk,
        "customer": customer_a.pk,
        "product": product.pk,
        "unit": unit.pk,
        "team": team_a.pk,
        "spare_team": spare.pk,
        "calendar": working_hours.pk,
        "spare_calendar": spare_calendar.pk,
        "policy": SlaPolicy.objects.get(name="标准").pk,
        **stock,
        "rule": EscalationRule.objects.create(name="超时升级", raise_priority=True).pk,
        **_dispatch_world(sr, team_a, technician, agent),
        **_returns_world(sr, agent),
        **_visits_world(sr, technician, admin_user),
        **_repairs_world(sr, technician),
        **_repair_records_world(sr, technician),
        **_tasks_world(sr, agent),
        **_quality_world(),
        **_followups_world(sr, agent),
        **_complaints_world(agent, customer_a),
        **_imports_world(admin_user),
        **_webhooks_world(),
    }


def _webhooks_world() -> dict[str, int]:
    """A webhook to a loopback port where nothing listens, and a failed delivery."""
    from django.utils import timezone

    from aftersales.webhooks.models import WebhookDelivery
    from aftersales.webhooks.tests.factories import make_subscription

    hook = make_subscription("http://127.0.0.1:9/hook", events=["sla.breached"])
    delivery = WebhookDelivery.objects.create(
        subscription=hook,
        event="sla.breached",
        event_key="world",
        payload={},
        next_attempt_at=timezone.now(),
    )
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status="failed")
    return {"webhook": hook.pk, "webhook_delivery": delivery.pk}


def _imports_world(admin_user) -> dict[str, int]:
    """A validated (not yet imported) customer file."""
    from aftersales.imports import services as imports

    job = imports.import_validate(
        kind="customers",
        file_name="customers.csv",
        data="name,phone\n王五,13700137001\n".encode(),
        by=admin_user,
    )
    return {"import_job": job.pk}


def _complaints_world(agent, customer) -> dict[str, int]:
    """A complaint team (no supervisor), a complaint of customer A investigated, with a draft
    proposal ("no": not founded) by agent1."""
    from aftersales.accounts.models import Team
    from aftersales.complaints import services as complaints

    Team.objects.create(name="投诉处理组", kind=Team.Kind.COMPLAINTS)
    complaint = complaints.complaint_register(
        by=agent, customer=customer, data={"subject": "服务人员态度差"}
    )
    complaints.complaint_investigate(
        complaint, by=agent, data={"severity": "minor", "fault": "none", "founded": False}
    )
    proposal = complaints.proposal_create(
        complaint, by=agent, data={"reasoning": "无事实依据", "lines": [{"kind": "none"}]}
    )
    return {"complaint": complaint.pk, "proposal": proposal.pk}


def _followups_world(sr, agent) -> dict[str, int]:
    """A follow-up on R (as if resolved; R's state is unchanged) and a survey link for it."""
    from django.utils import timezone

    from aftersales.followups.models import FollowUp
    from aftersales.surveys import services as surveys
    from aftersales.surveys.models import Question

    followup = FollowUp.objects.create(request=sr, due_at=timezone.now())
    invitation, _reason = surveys.invitation_create(sr, channel="sms", by=agent)
    return {
        "followup": followup.pk,
        "invitation": invitation.pk,
        "question": Question.objects.get(code="speed").pk,
    }


def _quality_world() -> dict[str, object]:
    """A problem record owned by team B (R&D), opened by lead1, with an action owned by qc1."""
    import datetime

    from aftersales.accounts.models import Team, User
    from aftersales.quality import services as quality

    lead, qc = User.objects.get(username="lead1"), User.objects.get(username="qc1")
    team = Team.objects.get(name="研发组")
    problem = quality.problem_create(
        by=lead, data={"title": "主板批次故障", "symptom": "开机无显示", "team": team}
    )
    action = quality.problem_action_add(
        problem,
        by=lead,
        data={
            "kind": "corrective",
            "description": "分析故障主板",
            "owner": qc,
            "due_on": datetime.date(2030, 1, 1),
        },
    )
    return {"problem": problem.number, "problem_action": action.pk, "problem_team": team.pk}


def _tasks_world(sr, agent) -> dict[str, int]:
    """A task on R for team B (R&D), opened by agent1."""
    from aftersales.accounts.models import Team
    from aftersales.tasks import services as tasks

    team = Team.objects.get(name="研发组")
    task = tasks.task_open(
        title="分析故障件", team=team, source="test", service_request=sr, by=agent
    )
    return {"task": task.pk}


def _repair_records_world(sr, technician) -> dict[str, int]:
    """A repair record of R by tech1 (R keeps its state; its customer sees the record)."""
    from aftersales.repair_records import services as repair_records

    data = {"work_done": "更换电容", "started_at": sr.received_at}
    return {"record": repair_records.repair_record_create(sr, by=technician, data=data).pk}


def _repairs_world(sr, technician) -> dict[str, int]:
    """R's diagnosis and a draft plan by tech1 (internal: what R's customer sees is unchanged)."""
    from aftersales.repairs import services as repairs
    from aftersales.repairs.models import ApprovalRule

    data = {"cause": "电容失效", "severity": "minor", "handling": "on_site", "expected_minutes": 30}
    repairs.diagnosis_record(sr, by=technician, data=data)
    plan = repairs.plan_create(
        sr, by=technician, data={"summary": "更换电容", "estimated_minutes": 30}
    )
    return {"plan": plan.pk, "approval_rule": ApprovalRule.objects.order_by("id").first().pk}


def _visits_world(sr, technician, admin_user) -> dict[str, object]:
    """A visit of tech1 to R, written directly so that R keeps its state, and leave of
    tech1 later on; `visit_at` is a free day for booking and moving in the payloads."""
    import datetime

    from django.utils import timezone

    from aftersales.visits.models import Leave
    from aftersales.visits.tests.factories import make_visit_rows

    start = (timezone.now() + datetime.timedelta(days=2)).replace(
        hour=2, minute=0, second=0, microsecond=0
    )
    visit = make_visit_rows(
        sr,
        technicians=[technician],
        window_start=start,
        window_end=start + datetime.timedelta(hours=2),
    )
    leave = Leave.objects.create(
        technician=technician,
        start=start + datetime.timedelta(days=10),
        end=start + datetime.timedelta(days=11),
        created_by=admin_user,
    )
    return {
        "visit": visit.pk,
        "visit_date": start.date().isoformat(),
        "visit_at": start + datetime.timedelta(days=1),
        "leave": leave.pk,
    }


def _dispatch_world(sr, team, technician, agent) -> dict[str, int]:
    """A routing rule, tech1's profile, and a task-force member (helper1, in no team)."""
    from aftersales.accounts.models import User
    from aftersales.dispatch.models import RoutingRule, TechnicianProfile
    from aftersales.service_requests import assignments

    rule = RoutingRule.objects.create(name="软件 → 研发", categories=["software"], team=team)
    TechnicianProfile.objects.create(user=technician, skills=["product_quality"])
    helper = User.objects.create(username="helper1", role=User.Role.TECHNICIAN)
    assignments.participant_add(sr, user=helper, by=agent)
    return {"routing_rule": rule.pk}


def _returns_world(sr, agent) -> dict[str, int]:
    """R's RMA: decided without a purchase date (staff decide, with a reason), received."""
    from aftersales.returns import services as returns

    rma = returns.rma_authorise(sr, by=agent, decision="refund", reason="客户出示了购买发票")
    return {"rma": returns.rma_receive(rma, by=agent).pk}


def _stock_world(sr, technician, agent) -> dict[str, int]:
    """A central store and tech1's van holding a part, and one unit reserved for R."""
    from aftersales.parts import services as parts
    from aftersales.parts.models import StockMovement

    part = parts.part_create(by=None, data={"part_number": "CAP-35UF", "name": "启动电容"})
    central = parts.warehouse_create(by=None, data={"code": "WH-C", "name": "中央备件库"})
    van = parts.warehouse_create(
        by=None, data={"code": "VAN-1", "name": "服务车", "kind": "van", "technician": technician}
    )
    level = parts.stock_receive(warehouse=central, part=part, quantity=10, by=None)
    parts.stock_receive(warehouse=van, part=part, quantity=5, by=None)
    reservation = parts.stock_reserve(
        warehouse=central, part=part, quantity=2, service_request=sr, by=agent
    )
    return {
        "part": part.pk,
        "warehouse": central.pk,
        "van": van.pk,
        "level": level.pk,
        "movement": StockMovement.objects.filter(reservation=reservation).get().pk,
        "reservation": reservation.pk,
    }


def _payload(kind, world, n):
    return {
        None: None,
        "file": None,
        "photo": None,
        "token": {"username": "agent1", "password": "pass-agent1"},
        "request": {"title": "热水器不出热水", "description": "点火后熄火", "kind": "repair"},
        "patch": {"title": "空调不制冷（已核实）"},
        "comment": {"body": "请问什么时候上门？"},
        "action": {},
        "customer": {"name": "新客户", "phone": f"1350000{n:04d}"},
        "customer_patch": {"address": "上海市浦东新区"},
        "webhook": {
            "name": f"经销商系统{n}",
            "url": "http://127.0.0.1:9/hook",
            "events": ["service_request.created"],
            "allow_private": True,
        },
        "webhook_patch": {"name": "经销商系统（新）"},
        "product": {"model": f"NEW-{n}", "name": "新品"},
        "product_patch": {"warranty_months": 24},
        "unit": {"product": world["product"], "serial_number": f"SN-NEW-{n}"},
        "unit_patch": {"batch_number": "B9"},
        "part": {"part_number": f"NEW-P-{n}", "name": "新备件", "products": [world["product"]]},
        "part_patch": {"unit_price": "12.50"},
        "warehouse": {"code": f"WH-NEW-{n}", "name": "新仓库", "kind": "regional"},
        "warehouse_patch": {"name_en": "Central store"},
        "receive": {"warehouse": world["warehouse"], "part": world["part"], "quantity": 5},
        "adjust": {
            "warehouse": world["warehouse"],
            "part": world["part"],
            "counted": 8,
            "reason": "盘点",
        },
        "transfer": {
            "source": world["warehouse"],
            "destination": world["van"],
            "part": world["part"],
            "quantity": 2,
        },
        "reserve": {
            "warehouse": world["warehouse"],
            "part": world["part"],
            "quantity": 1,
            "service_request": world["number"],
        },
        "consume": {"quantity": 1},
        "consume_direct": {
            "warehouse": world["van"],
            "part": world["part"],
            "quantity": 1,
            "service_request": world["number"],
        },
        "user": {"username": f"newtech{n}", "password": "a-long-Password-42", "role": "technician"},
        "user_patch": {"phone": "010-1234"},
        "team": {"name": f"新团队{n}"},
        "team_patch": {"name_en": "Field A"},
        "calendar": {
            "name": f"日历{n}",
            "periods": [{"weekday": 0, "start": "09:00", "end": "18:00"}],
        },
        "escalation_rule": {"name": f"规则{n}", "raise_priority": True, "teams": [world["team"]]},
        "routing_rule": {"name": f"路由{n}", "categories": ["usage"], "team": world["team"]},
        "technician_profile": {"username": "tech2", "skills": ["software"], "capacity": 5},
        "technician_profile_patch": {"available": False},
        "participant": {"username": "tech2"},
        "repair_record": {"work_done": "清洗滤网", "started_at": "2025-01-01T08:00:00+08:00"},
        "repair_record_patch": {"test_outcome": "passed"},
        "part_used": {"part_number": "GASKET-9"},
        "confirmation": {"satisfied": True},
        "task_assign": {"assignee": "qc1"},
        "problem": {"title": f"批次异常{n}", "symptom": "漏水", "team": world["problem_team"]},
        "problem_patch": {"title": "主板批次故障（已确认）"},
        "problem_transition": {"action": "investigate"},
        "problem_action": {
            "kind": "preventive",
            "description": "更新来料检验标准",
            "owner": "qc1",
            "due_on": "2030-02-01",
        },
        "problem_action_done": {"result": "已完成分析"},
        "problem_link": {"service_request": world["number"]},
        "followup_record": {"reached": False, "note": "无人接听"},
        "followup_assign": {"assignee": "agent1"},
        "survey_question": {"code": f"q{n}", "kind": "text", "text_zh_hans": "还有什么？"},
        "survey_question_patch": {"order": 45},
        "complaint": {"customer": world["customer"], "subject": "送货延误"},
        "complaint_contact": {"method": "phone", "facts": "客户确认送货晚了三天"},
        "investigation": {"severity": "minor", "fault": "full", "founded": True},
        "proposal": {
            "reasoning": "道歉并赠券",
            "lines": [{"kind": "service_credit", "unit_value": "50.00"}],
        },
        "comment_c": {"comment": "请补充理由"},
        "task_finish": {"outcome": "已分析", "reference": f"R-{n}"},
        "rma_authorise": {"decision": "repair"},
        "rma_ship": {"carrier": "顺丰速运", "tracking_number": f"SF{n:010d}"},
        "rma_inspect": {"result": "fault_confirmed"},
        "rma_refund": {"amount": "100.00", "method": "cash", "reason": "无价格"},
        "rma_replace": {"serial_number": f"SN-RMA-{n}"},
        "visit": {
            "service_request": world["number"],
            "technicians": ["tech1"],
            "window_start": world["visit_at"].isoformat(),
            "window_end": (world["visit_at"] + datetime.timedelta(hours=2)).isoformat(),
            "outside_hours": True,
        },
        "visit_reschedule": {
            "window_start": (world["visit_at"] + datetime.timedelta(days=1)).isoformat(),
            "window_end": (world["visit_at"] + datetime.timedelta(days=1, hours=2)).isoformat(),
            "reason": "客户改约",
            "outside_hours": True,
        },
        "no_one_home": {"note": "敲门无人应答"},
        "leave": {
            "technician": "tech1",
            "start": (world["visit_at"] + datetime.timedelta(days=20)).isoformat(),
            "end": (world["visit_at"] + datetime.timedelta(days=21)).isoformat(),
            "reason": "年假",
        },
        "diagnosis": {
            "cause": "启动电容鼓包",
            "severity": "major",
            "handling": "on_site",
            "expected_minutes": 45,
        },
        "plan": {"summary": "更换电容", "estimated_minutes": 30, "steps": ["更换电容"]},
        "plan_patch": {"tools": "万用表"},
        "reject": {"reason": "太贵"},
        "consent": {"agreed": True, "statement": "客户电话同意"},
        "approval_rule": {"name": f"上门{n}", "condition": "visit"},
        "approval_rule_patch": {"is_active": False},
        "notice": {"year": 2027, "holidays": ["2027-01-01"], "working_days": []},
        "policy": {
            "name": f"大客户{n}",
            "order": 5,
            "targets": [
                {
                    "priority": "high",
                    "first_response_minutes": 30,
                    "first_response_calendar": world["calendar"],
                    "resolution_minutes": 480,
                    "resolution_calendar": world["calendar"],
                }
            ],
        },
    }[kind]


def _client(role, request) -> APIClient:
    client = APIClient()
    if role != "anonymous":
        user = request.getfixturevalue(role)
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


CASES = [(name, role) for name in MATRIX for role in ROLES]


@pytest.mark.parametrize(("name", "role"), CASES)
def test_role_route_matrix(name, role, world, request):
    method, template, kind, expected = MATRIX[name]
    client = _client(role, request)
    path = template.format(**world)
    payload = _payload(kind, world, ROLES.index(role))
    if kind == "request" and "customer" not in role:
        payload["customer"] = {"name": "王五", "phone": "13700137000"}
    if kind == "file":
        response = client.post(path, {"file": SimpleUploadedFile("x.png", PNG)}, format="multipart")
    elif kind == "photo":
        photo = SimpleUploadedFile("x.png", PNG)
        response = client.post(path, {"photos": photo}, format="multipart")
    elif payload is None:
        response = getattr(client, method)(path)
    else:
        response = getattr(client, method)(path, payload, format="json")
    assert response.status_code == expected[role], (name, role, response.content[:300])
    if response.status_code in (403, 404, 401):
        body = response.json()
        assert "message" in body
        assert "SN-R-1" not in response.content.decode()


def test_lists_are_scoped(world, request):
    expected = {
        "customer_user": 1,
        "other_customer_user": 0,
        "agent": 1,
        "technician": 1,
        "other_technician": 0,
        "supervisor": 1,
        "department": 0,
        "analyst": 1,
        "admin_user": 1,
    }
    for role, count in expected.items():
        client = _client(role, request)
        # The world's other request is the complaint (customer A, the complaint team).
        repairs = client.get("/api/v1/service-requests/", {"kind": "repair"}).json()["count"]
        assert repairs == count, role
        found = client.get("/api/v1/service-requests/", {"search": "制冷"}).json()["count"]
        assert found == count, role


def test_customers_never_see_internal_notes(world, request):
    client = _client("customer_user", request)
    comments = client.get(f"/api/v1/service-requests/{world['number']}/comments/").json()
    assert all(not c["is_internal"] for c in comments)
    events = client.get(f"/api/v1/service-requests/{world['number']}/events/").json()
    assert all(not e["is_internal"] for e in events)
    assert "脾气" not in str(events)
    detail = client.get(f"/api/v1/service-requests/{world['number']}/").json()
    assert detail["assignee"] is None and detail["recorded_by"] is None
    # Search by a word that is only in the internal note finds nothing for the customer.
    assert client.get("/api/v1/service-requests/", {"search": "脾气"}).json()["count"] == 0
    assert (
        _client("agent", request)
        .get("/api/v1/service-requests/", {"search": "脾气"})
        .json()["count"]
        == 1
    )


def test_a_disabled_account_loses_access_at_once(world, request, agent):
    client = _client("agent", request)
    assert client.get("/api/v1/service-requests/").status_code == 200
    agent.is_active = False
    agent.save()
    assert client.get("/api/v1/service-requests/").status_code == 401

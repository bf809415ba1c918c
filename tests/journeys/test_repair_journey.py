"""A repair and a return from intake to the customer's answer, each step through the API (or
the customer's portal page) by the person whose job it is: routing, automatic assignment,
diagnosis, an out-of-warranty plan with fees, the supervisor's approval, the customer's
consent from the link in their mail, a visit, the repair with the reserved part, the
technician's test, the resolution and the customer's confirmation — with the clocks
and the counts checked on the way."""

import datetime
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from aftersales.accounts.models import Team
from aftersales.catalog.models import Product, Unit
from aftersales.dispatch.models import RoutingRule
from aftersales.notifications.models import OutboxMessage
from aftersales.parts import services as parts
from aftersales.parts.models import StockLevel
from aftersales.service_requests.models import ServiceRequest, ServiceRequestEvent

S = ServiceRequest.Status


def _api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def _ok(response, status=200):
    assert response.status_code == status, response.content[:500]
    return response.json()


def _act(client, number, action, **data):
    return _ok(client.post(f"/api/v1/service-requests/{number}/{action}/", data, format="json"))


def _status(number) -> str:
    return ServiceRequest.objects.get(number=number).status


@pytest.fixture
def shop(team_a, supervisor, technician):
    """Team A takes product-quality faults and assigns them round robin; its supervisor
    decides plans. An air conditioner bought two years ago (12 months' warranty), and a
    capacitor in the central store."""
    team_a.supervisor = supervisor
    team_a.assignment_strategy = Team.Strategy.ROUND_ROBIN
    team_a.save()
    RoutingRule.objects.create(name="质量问题 → 一线", categories=["product_quality"], team=team_a)
    product = Product.objects.create(model="KFR-35GW", name="壁挂空调", warranty_months=12)
    part = parts.part_create(
        by=None,
        data={"part_number": "CAP-35UF", "name": "启动电容", "unit_price": "380.00"},
    )
    store = parts.warehouse_create(by=None, data={"code": "WH-C", "name": "中央备件库"})
    parts.stock_receive(warehouse=store, part=part, quantity=5, by=None)
    return {"product": product, "part": part, "store": store}


def test_an_out_of_warranty_repair_from_intake_to_the_customers_confirmation(
    shop, team_a, agent, technician, supervisor, customer_a, customer_user, time_machine
):
    unit = Unit.objects.create(
        product=shop["product"],
        customer=customer_a,
        serial_number="SN-J-1",
        purchase_date=timezone.localdate() - datetime.timedelta(days=730),
    )
    front, tech, lead = _api(agent), _api(technician), _api(supervisor)

    # 1. The hotline records it: routed to team A by the rule and given to tech1 at once.
    created = _ok(
        front.post(
            "/api/v1/service-requests/",
            {
                "customer": customer_a.pk,
                "title": "空调不启动",
                "description": "开机后压缩机不转，有嗡嗡声。",
                "category": "product_quality",
                "kind": "repair",
                "channel": "phone",
                "serial_number": unit.serial_number,
                "impact": "medium",
                "urgency": "medium",
            },
            format="json",
        ),
        201,
    )
    number = created["number"]
    sr = ServiceRequest.objects.get(number=number)
    assert (sr.team_id, sr.assignee_id, sr.status) == (team_a.pk, technician.pk, S.ASSIGNED)
    assert sr.unit_id == unit.pk
    assignments = _ok(front.get(f"/api/v1/service-requests/{number}/assignments/"))
    assert [a["assignee"] for a in assignments] == ["tech1"]
    assert assignments[0]["assigned_by"] is None  # the system, by the team's strategy

    # 2. tech1 starts, diagnoses and proposes: out of warranty, so every line is charged.
    _act(tech, number, "start")
    _ok(
        tech.put(
            f"/api/v1/service-requests/{number}/diagnosis/",
            {
                "cause": "启动电容失效",
                "severity": "major",
                "handling": "on_site",
                "parts": [shop["part"].pk],
                "expected_minutes": 60,
            },
            format="json",
        )
    )
    plan = _ok(
        tech.post(
            f"/api/v1/service-requests/{number}/plans/",
            {
                "summary": "上门更换启动电容",
                "estimated_minutes": 60,
                "steps": ["断电", "更换电容", "试机"],
                "needs_visit": True,
                "parts": [{"part": shop["part"].pk, "warehouse": shop["store"].pk, "quantity": 1}],
                "fee_lines": [
                    {
                        "kind": "parts",
                        "description": "启动电容",
                        "quantity": "1",
                        "unit_price": "380.00",
                    },
                    {
                        "kind": "labour",
                        "description": "维修工时",
                        "quantity": "1",
                        "unit_price": "200.00",
                    },
                    {
                        "kind": "call_out",
                        "description": "上门费",
                        "quantity": "1",
                        "unit_price": "50.00",
                    },
                ],
            },
            format="json",
        ),
        201,
    )
    assert plan["warranty"] == "out"
    assert Decimal(plan["total"]) == Decimal("630.00")

    # 3. Above 500.00 it needs the supervisor; a technician cannot approve it.
    plan = _ok(
        tech.post(
            f"/api/v1/plans/{plan['id']}/submit/", {"version": plan["version"]}, format="json"
        )
    )
    assert plan["status"] == "pending_approval" and _status(number) == S.PENDING_APPROVAL
    refused = tech.post(f"/api/v1/plans/{plan['id']}/approve/", {"comment": "ok"}, format="json")
    assert refused.status_code == 403
    queue = _ok(lead.get("/api/v1/approvals/pending/"))
    assert [p["id"] for p in (queue["results"] if isinstance(queue, dict) else queue)] == [
        plan["id"]
    ]
    plan = _ok(
        lead.post(
            f"/api/v1/plans/{plan['id']}/approve/",
            {"comment": "同意，按报价执行", "version": plan["version"]},
            format="json",
        )
    )
    # Approved: the part is reserved, and the customer is asked (fees and a visit).
    level = StockLevel.objects.get(warehouse=shop["store"], part=shop["part"])
    assert (level.on_hand, level.reserved) == (5, 1)
    assert _status(number) == S.PENDING_CUSTOMER
    paused_at = ServiceRequest.objects.get(number=number).paused_since
    assert paused_at is not None

    # 4. The customer answers from the link in their mail, proving their phone number.
    mail = OutboxMessage.objects.filter(to_address=customer_a.email).order_by("-id").first()
    link = re.search(r"/portal/plans/([^/\s]+)/", mail.body)
    assert link, mail.body
    portal = Client(headers={"accept-language": "zh-hans"})
    url = f"/portal/plans/{link.group(1)}/"
    assert portal.get(url).status_code == 200
    assert _status(number) == S.PENDING_CUSTOMER  # opening the link records nothing
    answered = portal.post(url, {"contact": customer_a.phone, "answer": "agree"})
    assert answered.status_code == 200
    sr = ServiceRequest.objects.get(number=number)
    assert sr.status == S.IN_PROGRESS and sr.paused_since is None

    # 5. The dispatcher books tech1 for tomorrow; the request is scheduled.
    start = (timezone.now() + datetime.timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
    visit = _ok(
        front.post(
            "/api/v1/visits/",
            {
                "service_request": number,
                "technicians": ["tech1"],
                "window_start": start.isoformat(),
                "window_end": (start + datetime.timedelta(hours=2)).isoformat(),
                "outside_hours": True,
            },
            format="json",
        ),
        201,
    )
    assert _status(number) == S.SCHEDULED

    # 6. The next day on site: tech1 arrives, records the repair with the reserved part and
    # the test.
    time_machine.move_to(start + datetime.timedelta(hours=1), tick=True)
    _ok(tech.post(f"/api/v1/visits/{visit['id']}/start/", {"on_site": True}, format="json"))
    reservation = _ok(tech.get("/api/v1/stock-reservations/", {"service_request": number}))
    reservation_id = (reservation["results"] if isinstance(reservation, dict) else reservation)[0][
        "id"
    ]
    record = _ok(
        tech.post(
            f"/api/v1/service-requests/{number}/repair-records/",
            {
                "work_done": "更换启动电容，压缩机运转正常",
                "started_at": start.isoformat(),
                "finished_at": (start + datetime.timedelta(minutes=50)).isoformat(),
                "test_outcome": "passed",
                "test_result": "制冷 30 分钟，出风 12℃",
                "parts": [
                    {
                        "reservation": reservation_id,
                        "old_serial": "C-OLD-1",
                        "new_serial": "C-NEW-1",
                    }
                ],
            },
            format="json",
        ),
        201,
    )
    assert record["is_repeat"] is False and record["labour_minutes"] == 50
    level.refresh_from_db()
    assert (level.on_hand, level.reserved) == (4, 0)
    _ok(tech.post(f"/api/v1/visits/{visit['id']}/finish/", {"summary": "已修复"}, format="json"))
    _act(tech, number, "resolve", resolution="更换启动电容，试机正常")
    assert _status(number) == S.RESOLVED

    # 7. The customer confirms in their account: the clocks stop, nothing counts as repeat.
    mine = _api(customer_user)
    confirmation = _ok(
        mine.post(
            f"/api/v1/service-requests/{number}/confirmation/",
            {"satisfied": True, "comment": "谢谢"},
            format="json",
        ),
        201,
    )
    assert confirmation["awaiting"] is False
    assert [c["satisfied"] for c in confirmation["confirmations"]] == [True]
    # The plan sent for consent was the first contact the customer saw; the wait for their
    # answer is not part of the resolution time.
    detail = _ok(front.get(f"/api/v1/service-requests/{number}/"))
    assert detail["sla"]["first_response"]["state"] == "met"
    assert detail["sla"]["resolution"]["state"] == "met"
    assert detail["first_responded_at"] is not None
    waited = ServiceRequestEvent.objects.filter(
        request__number=number, to_status=S.PENDING_CUSTOMER
    )
    assert waited.count() == 1
    history = _ok(front.get(f"/api/v1/units/{unit.pk}/history/"))
    assert history["summary"]["requests"] == 1 and history["summary"]["repeats"] == 0

"""The plan card on the request page, the approval queue, and the customer's consent page."""

import datetime
import re
from decimal import Decimal

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from aftersales.parts.models import StockReservation
from aftersales.repairs import services, tokens
from aftersales.repairs.models import SolutionPlan
from aftersales.repairs.tests.factories import make_plan
from aftersales.service_requests.models import ServiceRequest, ServiceRequestEvent

HTMX = {"HTTP_HX_REQUEST": "true"}
P = SolutionPlan.Status


@pytest.fixture(autouse=True)
def _clear_throttle():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def client():
    return Client(headers={"accept-language": "en"})


def detail(sr) -> str:
    return reverse("service_requests:detail", args=[sr.number])


def plan_post(**overrides) -> dict:
    data = {
        "plan-summary": "更换压缩机",
        "plan-steps": "拆机\n更换压缩机\n试机",
        "plan-estimated_minutes": "120",
        "plan-tools": "焊枪",
        "parts-TOTAL_FORMS": "2",
        "parts-INITIAL_FORMS": "0",
        "fees-TOTAL_FORMS": "2",
        "fees-INITIAL_FORMS": "0",
        "fees-0-kind": "parts",
        "fees-0-description": "压缩机",
        "fees-0-quantity": "1",
        "fees-0-unit_price": "420.00",
        "fees-1-kind": "labour",
        "fees-1-description": "",
        "fees-1-quantity": "",
        "fees-1-unit_price": "",
    }
    data.update(overrides)
    return data


# --- The card -----------------------------------------------------------------------------


def test_the_request_page_has_the_card_with_its_forms(client, sr, technician):
    client.force_login(technician)
    body = client.get(detail(sr)).content.decode()
    assert 'id="plan-panel"' in body
    assert reverse("repairs:diagnosis", args=[sr.number]) in body
    assert reverse("repairs:plan_create", args=[sr.number]) in body


def test_diagnosis_without_javascript_saves_and_returns_to_the_page(client, sr, technician):
    client.force_login(technician)
    response = client.post(
        reverse("repairs:diagnosis", args=[sr.number]),
        {
            "diagnosis-cause": "电容鼓包",
            "diagnosis-severity": "major",
            "diagnosis-handling": "on_site",
            "diagnosis-expected_minutes": "45",
        },
    )
    assert response.status_code == 302 and response["Location"] == detail(sr)
    assert sr.diagnoses.get().cause == "电容鼓包"
    assert "电容鼓包" in client.get(detail(sr)).content.decode()


def test_diagnosis_errors_are_shown_on_the_card_with_htmx(client, sr, technician):
    client.force_login(technician)
    response = client.post(
        reverse("repairs:diagnosis", args=[sr.number]),
        {"diagnosis-cause": "", "diagnosis-severity": "major", "diagnosis-handling": "remote"},
        **HTMX,
    )
    assert response.status_code == 400
    assert response["HX-Retarget"] == "#diagnosis-errors"
    assert not sr.diagnoses.exists()


def test_a_plan_is_drafted_submitted_and_approved_through_the_pages(
    client, sr, technician, supervisor
):
    client.force_login(technician)
    response = client.post(reverse("repairs:plan_create", args=[sr.number]), plan_post(), **HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="request-panels">')
    assert "420.00 CNY" in body
    plan = sr.solution_plans.get()
    assert plan.total == Decimal("420.00") and plan.fee_lines.count() == 1
    assert [s.text for s in plan.steps.order_by("order")] == ["拆机", "更换压缩机", "试机"]
    response = client.post(
        reverse("repairs:plan_submit", args=[plan.pk]), {"version": plan.version}
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    # 420.00 is under the threshold: approved at once, and the customer is asked.
    assert plan.status == P.PENDING_CONSENT
    client.force_login(supervisor)
    body = client.get(detail(sr)).content.decode()
    assert "Record the customer" in body


def test_plan_field_errors_name_the_row(client, sr, technician):
    client.force_login(technician)
    response = client.post(
        reverse("repairs:plan_create", args=[sr.number]),
        plan_post(**{"fees-0-unit_price": "abc"}),
        **HTMX,
    )
    assert response.status_code == 400
    assert response["HX-Retarget"] == "#plan-new-errors"
    assert not sr.solution_plans.exists()


def test_the_supervisor_decides_on_the_card(client, sr, technician, supervisor):
    plan = services.plan_submit(
        make_plan(sr, by=technician, includes_refund=True, fee_lines=[]), by=technician
    )
    client.force_login(technician)
    assert (
        reverse("repairs:plan_approve", args=[plan.pk])
        not in client.get(detail(sr)).content.decode()
    )
    assert client.post(reverse("repairs:plan_approve", args=[plan.pk])).status_code == 302
    plan.refresh_from_db()
    assert plan.status == P.PENDING_APPROVAL  # refused, shown as a message
    client.force_login(supervisor)
    assert (
        reverse("repairs:plan_approve", args=[plan.pk]) in client.get(detail(sr)).content.decode()
    )
    response = client.post(reverse("repairs:plan_reject", args=[plan.pk]), {"comment": ""}, **HTMX)
    assert response.status_code == 400 and response["HX-Retarget"] == "#plan-decision-errors"
    response = client.post(
        reverse("repairs:plan_reject", args=[plan.pk]), {"comment": "退款不合理"}, **HTMX
    )
    assert response.status_code == 200
    plan.refresh_from_db()
    assert plan.status == P.REJECTED


def test_a_phone_consent_is_recorded_on_the_card(client, sr, technician, agent):
    plan = services.plan_submit(make_plan(sr, by=technician), by=technician)
    client.force_login(agent)
    response = client.post(
        reverse("repairs:plan_consent", args=[plan.pk]),
        {"answer": "agree", "statement": "客户同意", "version": plan.version},
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == P.APPROVED and plan.consent_recorded_by == agent
    sr.refresh_from_db()
    assert sr.status == ServiceRequest.Status.IN_PROGRESS


def test_actions_reject_get(client, sr, technician):
    plan = make_plan(sr, by=technician)
    client.force_login(technician)
    for url in (
        reverse("repairs:diagnosis", args=[sr.number]),
        reverse("repairs:plan_create", args=[sr.number]),
        reverse("repairs:plan_submit", args=[plan.pk]),
        reverse("repairs:plan_approve", args=[plan.pk]),
        reverse("repairs:plan_consent", args=[plan.pk]),
    ):
        assert client.get(url).status_code == 405


def test_strangers_to_the_request_get_404(client, sr, technician, other_technician):
    plan = make_plan(sr, by=technician)
    client.force_login(other_technician)
    assert client.post(reverse("repairs:plan_submit", args=[plan.pk])).status_code == 404
    assert client.post(reverse("repairs:diagnosis", args=[sr.number])).status_code == 404


def test_the_customer_sees_the_offered_plan_and_nothing_internal(
    client, sr, technician, customer_user
):
    plan = make_plan(sr, by=technician)
    services.diagnosis_record(
        sr,
        by=technician,
        data={
            "cause": "内部原因",
            "severity": "minor",
            "handling": "remote",
            "expected_minutes": 5,
        },
    )
    client.force_login(customer_user)
    body = client.get(detail(sr)).content.decode()
    assert 'id="plan-panel"' not in body  # a draft is not shown
    services.plan_submit(plan, by=technician)
    body = client.get(detail(sr)).content.decode()
    assert "80.00 CNY" in body and "更换启动电容" in body
    assert "内部原因" not in body and "万用表" not in body
    assert reverse("repairs:plan_consent", args=[plan.pk]) not in body


@pytest.mark.parametrize("language", ["zh-hans", "zh-hant", "en"])
def test_pages_render_in_each_language(sr, technician, supervisor, language):
    plan = services.plan_submit(make_plan(sr, by=technician, includes_refund=True), by=technician)
    client = Client(headers={"accept-language": language})
    client.force_login(supervisor)
    for url in (detail(sr), reverse("repairs:approvals")):
        response = client.get(url)
        assert response.status_code == 200
        assert f'<html lang="{language}">' in response.content.decode()
    portal = Client(headers={"accept-language": language})
    link = reverse("repairs_portal:consent", args=[tokens.consent_token(plan.pk)])
    assert portal.get(link).status_code == 200


# --- The approval queue -------------------------------------------------------------------


def test_the_queue_lists_what_waits_for_me(client, sr, technician, supervisor):
    plan = services.plan_submit(make_plan(sr, by=technician, includes_refund=True), by=technician)
    client.force_login(supervisor)
    body = client.get(reverse("repairs:approvals")).content.decode()
    assert f'data-plan="{plan.pk}"' in body and sr.number in body
    assert "Includes a refund" in body
    assert reverse("repairs:approvals") in body  # in the navigation


@pytest.mark.parametrize("role", ["agent", "technician", "analyst", "customer_user"])
def test_the_queue_is_for_supervisors_and_admins(client, request, role):
    user = request.getfixturevalue(role)
    client.force_login(user)
    assert client.get(reverse("repairs:approvals")).status_code == 403
    if role != "customer_user":
        body = client.get(reverse("service_requests:list")).content.decode()
        assert reverse("repairs:approvals") not in body


# --- The portal consent page --------------------------------------------------------------


@pytest.fixture
def asked(sr, technician, supervisor, part, central, stock):
    """A plan with a part, approved, waiting for the customer (contact 13800138000)."""
    plan = services.plan_create(
        sr,
        by=technician,
        data={
            "summary": "更换压缩机",
            "estimated_minutes": 120,
            "steps": ["更换压缩机"],
            "parts": [{"part": part, "warehouse": central, "quantity": 1}],
            "fee_lines": [
                {
                    "kind": "parts",
                    "description": "压缩机",
                    "quantity": Decimal(1),
                    "unit_price": Decimal("620.00"),
                }
            ],
        },
    )
    plan = services.plan_approve(services.plan_submit(plan, by=technician), by=supervisor)
    assert plan.status == P.PENDING_CONSENT
    return plan


def link(plan) -> str:
    return reverse("repairs_portal:consent", args=[tokens.consent_token(plan.pk)])


def without_csrf(body: bytes) -> str:
    return re.sub(r'(X-CSRFToken": "|csrfmiddlewaretoken" value=")[^"]+', "", body.decode())


def test_the_link_alone_shows_nothing_and_records_nothing(client, asked, sr):
    events = ServiceRequestEvent.objects.count()
    response = client.get(link(asked))
    body = response.content.decode()
    assert response.status_code == 200
    assert "620.00" not in body and "更换压缩机" not in body and sr.number not in body
    assert 'name="contact"' in body
    asked.refresh_from_db()
    assert asked.status == P.PENDING_CONSENT and ServiceRequestEvent.objects.count() == events


def test_with_the_contact_the_plan_and_fees_are_shown(client, asked):
    response = client.post(link(asked), {"contact": "13800138000"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "620.00 CNY" in body and "更换压缩机" in body and "The warranty ended on" in body
    asked.refresh_from_db()
    assert asked.status == P.PENDING_CONSENT  # showing is not answering


def test_a_wrong_contact_gets_the_same_answer_as_a_bad_link(client, asked):
    good, bad = link(asked), link(asked)[:-3] + "xx/"
    wrong = client.post(good, {"contact": "13900000000"})
    tampered = client.post(bad, {"contact": "13800138000"})
    unknown = client.get(reverse("repairs_portal:consent", args=["nonsense"]))
    assert wrong.status_code == tampered.status_code == unknown.status_code == 404
    # Byte for byte the same page, but for the address itself (the language menu returns to it).
    assert without_csrf(wrong.content).replace(good, "") == without_csrf(tampered.content).replace(
        bad, ""
    )
    assert "620.00" not in wrong.content.decode()


def test_an_expired_link_is_refused(client, asked):
    mailed = link(asked)
    assert client.post(mailed, {"contact": "13800138000"}).status_code == 200
    later = timezone.now() + datetime.timedelta(days=15)
    with time_machine.travel(later):
        response = client.post(mailed, {"contact": "13800138000"})
    assert response.status_code == 404
    assert "data-consent-invalid" in response.content.decode()


def test_agreeing_on_the_portal_resumes_the_work_once(client, asked, sr):
    response = client.post(link(asked), {"contact": "zhang@example.com", "answer": "agree"})
    assert (
        response.status_code == 200
        and 'data-consent-answered="approved"' in response.content.decode()
    )
    asked.refresh_from_db()
    assert asked.status == P.APPROVED and asked.consent_channel == "portal"
    sr.refresh_from_db()
    assert sr.status == ServiceRequest.Status.IN_PROGRESS
    again = client.post(
        link(asked), {"contact": "zhang@example.com", "answer": "decline", "reason": "改主意"}
    )
    assert 'data-consent-answered="approved"' in again.content.decode()
    asked.refresh_from_db()
    assert asked.status == P.APPROVED


def test_declining_on_the_portal_needs_a_reason(client, asked, sr):
    response = client.post(
        link(asked), {"contact": "13800138000", "answer": "decline", "reason": ""}
    )
    assert response.status_code == 400
    asked.refresh_from_db()
    assert asked.status == P.PENDING_CONSENT
    client.post(link(asked), {"contact": "13800138000", "answer": "decline", "reason": "太贵"})
    asked.refresh_from_db()
    assert asked.status == P.DECLINED
    assert asked.parts.get().reservation.status == StockReservation.Status.RELEASED
    assert "太贵" in sr.events.filter(action="start").last().note


def test_guessing_contacts_is_throttled(client, asked):
    for _ in range(20):
        client.post(link(asked), {"contact": "13900000000"})
    assert client.post(link(asked), {"contact": "13800138000"}).status_code == 429

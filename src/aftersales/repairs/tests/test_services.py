"""Diagnosis and plans through the services: the approval path, parts, consent, history."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from aftersales.core.errors import Conflict, DomainError, InvalidTransition, NotAllowed
from aftersales.notifications.models import Notification, OutboxMessage
from aftersales.parts.models import StockLevel, StockReservation
from aftersales.parts.tests.factories import make_part, stocked
from aftersales.repairs import services
from aftersales.repairs.models import ApprovalRule, SolutionPlan
from aftersales.repairs.tests.factories import make_plan, plan_data
from aftersales.service_requests import selectors as request_selectors
from aftersales.service_requests import services as request_services
from aftersales.service_requests.models import ServiceRequest, ServiceRequestEvent
from aftersales.service_requests.tests.factories import make_request, move_to

P = SolutionPlan.Status
S = ServiceRequest.Status


def fresh(obj):
    obj.refresh_from_db()
    return obj


def actions(sr) -> list[str]:
    return list(sr.events.order_by("id").values_list("action", flat=True))


def expensive(part, central, **overrides):
    """A plan above the default threshold (500.00), with one part to reserve."""
    return plan_data(
        parts=[{"part": part, "warehouse": central, "quantity": 2}],
        fee_lines=[
            {
                "kind": "parts",
                "description": "压缩机",
                "quantity": Decimal(1),
                "unit_price": Decimal("420.00"),
            },
            {
                "kind": "labour",
                "description": "人工",
                "quantity": Decimal("1.5"),
                "unit_price": Decimal("80.00"),
            },
        ],
        **overrides,
    )


# --- Diagnosis ----------------------------------------------------------------------------


def test_a_diagnosis_is_recorded_in_versions_and_in_the_history(sr, technician, part):
    data = {
        "cause": "启动电容失效",
        "severity": "major",
        "handling": "on_site",
        "parts_needed": "电容 35μF",
        "parts": [part],
        "expected_minutes": 60,
    }
    first = services.diagnosis_record(sr, by=technician, data=data)
    second = services.diagnosis_record(sr, by=technician, data={**data, "severity": "critical"})
    assert (first.version, second.version) == (1, 2)
    assert list(sr.diagnoses.order_by("version").values_list("severity", flat=True)) == [
        "major",
        "critical",
    ]
    assert list(second.parts.all()) == [part]
    event = sr.events.filter(action="diagnosis.recorded").last()
    assert event.is_internal and "启动电容失效" in event.note
    with pytest.raises(ValueError, match="kept as written"):
        first.save()


def test_a_diagnosis_names_the_fields_at_fault(sr, technician):
    with pytest.raises(DomainError) as caught:
        services.diagnosis_record(
            sr, by=technician, data={"cause": "x", "severity": "huge", "handling": "remote"}
        )
    assert "severity" in caught.value.fields
    with pytest.raises(DomainError) as caught:
        services.diagnosis_record(
            sr,
            by=technician,
            data={"cause": "x", "severity": "minor", "handling": "remote", "expected_minutes": 0},
        )
    assert "expected_minutes" in caught.value.fields


def test_only_those_who_work_the_request_diagnose_it(sr, other_technician, analyst):
    data = {"cause": "x", "severity": "minor", "handling": "remote", "expected_minutes": 5}
    for person in (other_technician, analyst):
        with pytest.raises(NotAllowed):
            services.diagnosis_record(sr, by=person, data=data)


# --- Writing a plan -----------------------------------------------------------------------


def test_a_draft_plan_is_priced_exactly_out_of_warranty(sr, technician, part, central):
    plan = services.plan_create(sr, by=technician, data=expensive(part, central))
    assert (plan.number, plan.status, plan.currency) == (1, P.DRAFT, "CNY")
    assert (plan.warranty_basis, plan.warranty) == ("out", "out")
    assert plan.total == plan.list_total == Decimal("540.00")
    assert [s.text for s in plan.steps.order_by("order")] == plan_data()["steps"]
    assert plan.parts.get().quantity == 2


def test_in_warranty_parts_and_labour_lines_are_charged_nothing(
    agent, technician, customer_a, team_a, unit_in_warranty, part, central
):
    sr = move_to(
        make_request(by=agent, customer=customer_a, team=team_a, serial_number="SN-IN-1"),
        "in_progress",
        by=agent,
        assignee=technician,
    )
    data = expensive(part, central)
    data["fee_lines"].append(
        {
            "kind": "call_out",
            "description": "上门费",
            "quantity": Decimal(1),
            "unit_price": Decimal("50.00"),
        }
    )
    plan = services.plan_create(sr, by=technician, data=data)
    assert plan.warranty == "in"
    assert plan.list_total == Decimal("590.00")
    assert plan.total == Decimal("50.00")
    lines = list(plan.fee_lines.order_by("order"))
    assert [line.covered_by_warranty for line in lines] == [True, True, False]
    assert lines[0].list_amount == Decimal("420.00") and lines[0].amount == 0


def test_without_a_purchase_date_staff_decide_the_warranty_with_a_reason(
    agent, technician, customer_a, team_a
):
    sr = move_to(
        make_request(by=agent, customer=customer_a, team=team_a),
        "in_progress",
        by=agent,
        assignee=technician,
    )
    plan = make_plan(sr, by=technician)
    assert plan.warranty == plan.warranty_basis == "unknown"
    with pytest.raises(DomainError) as caught:
        services.plan_submit(plan, by=technician)
    assert "warranty" in caught.value.fields
    with pytest.raises(DomainError) as caught:
        services.plan_update(plan, by=technician, data={"warranty": "in"})
    assert "warranty_reason" in caught.value.fields
    plan = services.plan_update(
        plan, by=technician, data={"warranty": "in", "warranty_reason": "客户出示了发票"}
    )
    assert plan.warranty == "in" and plan.total == Decimal("0.00")
    assert services.plan_submit(plan, by=technician).status == P.APPROVED


def test_a_known_warranty_cannot_be_overridden_on_the_plan(sr, technician):
    with pytest.raises(DomainError) as caught:
        make_plan(sr, by=technician, warranty="in", warranty_reason="想免费")
    assert "warranty" in caught.value.fields


def test_fee_lines_refuse_floats_and_fractions_of_cents(sr, technician):
    for price in (0.1, "1.005", "-1"):
        with pytest.raises(DomainError) as caught:
            make_plan(
                sr,
                by=technician,
                fee_lines=[
                    {"kind": "other", "description": "x", "quantity": 1, "unit_price": price}
                ],
            )
        assert "fee_lines.0.unit_price" in caught.value.fields


def test_one_plan_is_decided_at_a_time(sr, technician):
    make_plan(sr, by=technician)
    with pytest.raises(Conflict):
        make_plan(sr, by=technician)
    assert sr.solution_plans.count() == 1


def test_only_a_draft_is_changed(sr, technician):
    plan = make_plan(sr, by=technician, fee_lines=[])
    services.plan_submit(plan, by=technician)
    with pytest.raises(InvalidTransition):
        services.plan_update(plan, by=technician, data={"summary": "改"})


def test_a_stale_version_is_refused(sr, technician):
    plan = make_plan(sr, by=technician)
    services.plan_update(plan, by=technician, data={"tools": "梯子"}, expected_version=1)
    with pytest.raises(Conflict):
        services.plan_update(plan, by=technician, data={"tools": "绳子"}, expected_version=1)


# --- Submitting and approving -------------------------------------------------------------


def test_a_free_plan_without_a_visit_is_approved_at_once_and_work_goes_on(sr, technician):
    plan = make_plan(sr, by=technician, fee_lines=[])
    plan = services.plan_submit(plan, by=technician)
    assert plan.status == P.APPROVED
    assert plan.approved_at_once and not plan.needs_approval and not plan.needs_consent
    assert fresh(sr).status == S.IN_PROGRESS
    assert "plan.approved" in actions(sr)


def test_a_plan_is_submitted_while_the_request_is_in_progress(
    agent, technician, customer_a, team_a
):
    sr = move_to(
        make_request(by=agent, customer=customer_a, team=team_a),
        "assigned",
        by=agent,
        assignee=technician,
    )
    plan = make_plan(sr, by=technician)
    with pytest.raises(InvalidTransition):
        services.plan_submit(plan, by=technician)


def test_an_expensive_plan_waits_for_the_supervisor(
    sr, technician, supervisor, part, central, stock
):
    plan = services.plan_create(sr, by=technician, data=expensive(part, central))
    plan = services.plan_submit(plan, by=technician)
    assert plan.status == P.PENDING_APPROVAL
    assert plan.approval_reasons == [{"condition": "total_above", "threshold": "500.00"}]
    assert fresh(sr).status == S.PENDING_APPROVAL
    assert Notification.objects.filter(
        recipient=supervisor, key=f"plan-approval:{plan.pk}"
    ).exists()
    # Nothing is reserved before the decision.
    assert not StockReservation.objects.filter(service_request=sr).exists()


def test_approval_reserves_the_parts_and_asks_the_customer(
    sr, technician, supervisor, part, central, stock
):
    plan = services.plan_submit(
        services.plan_create(sr, by=technician, data=expensive(part, central)), by=technician
    )
    plan = services.plan_approve(plan, by=supervisor, comment="可以")
    assert plan.status == P.PENDING_CONSENT
    assert (plan.decided_by, plan.decision_comment) == (supervisor, "可以")
    reservation = plan.parts.get().reservation
    assert reservation.status == StockReservation.Status.ACTIVE and reservation.quantity == 2
    assert StockLevel.objects.get(warehouse=central, part=part).reserved == 2
    sr = fresh(sr)
    assert sr.status == S.PENDING_CUSTOMER and sr.paused_since is not None
    assert [a for a in actions(sr) if a in {"request-approval", "approve", "wait-customer"}] == [
        "request-approval",
        "approve",
        "wait-customer",
    ]
    mail = OutboxMessage.objects.get(key=f"plan-consent:{plan.pk}")
    assert mail.to_address == sr.contact_email
    assert "/portal/plans/" in mail.body and sr.number in mail.subject


def test_approval_is_refused_naming_the_part_short_of_stock_and_reserves_nothing(
    sr, technician, supervisor, part, central
):
    other = make_part(part_number="CAP-2", unit_price=Decimal("10.00"))
    stocked(central, other, 5)
    stocked(central, part, 1)  # two are needed
    data = expensive(part, central)
    data["parts"] = [
        {"part": other, "warehouse": central, "quantity": 1},
        {"part": part, "warehouse": central, "quantity": 2},
    ]
    plan = services.plan_submit(services.plan_create(sr, by=technician, data=data), by=technician)
    with pytest.raises(DomainError) as caught:
        services.plan_approve(plan, by=supervisor)
    assert "CMP-1" in caught.value.message and "parts" in caught.value.fields
    assert fresh(plan).status == P.PENDING_APPROVAL
    assert fresh(sr).status == S.PENDING_APPROVAL
    assert not StockReservation.objects.exists()
    assert StockLevel.objects.get(part=other).reserved == 0


def test_only_the_supervisor_approves(
    sr, technician, agent, other_technician, part, central, stock
):
    plan = services.plan_submit(
        services.plan_create(sr, by=technician, data=expensive(part, central)), by=technician
    )
    for person in (technician, agent, other_technician):
        with pytest.raises(NotAllowed):
            services.plan_approve(plan, by=person)
    assert fresh(plan).status == P.PENDING_APPROVAL


def test_a_rejected_plan_sends_the_request_back_to_work(sr, technician, supervisor, part, central):
    plan = services.plan_submit(
        services.plan_create(sr, by=technician, data=expensive(part, central)), by=technician
    )
    with pytest.raises(DomainError) as caught:
        services.plan_reject(plan, by=supervisor, reason=" ")
    assert "reason" in caught.value.fields
    plan = services.plan_reject(plan, by=supervisor, reason="太贵，先试试修电容")
    assert plan.status == P.REJECTED and plan.decision_comment == "太贵，先试试修电容"
    assert fresh(sr).status == S.IN_PROGRESS
    internal = sr.events.get(action="plan.rejected")
    assert internal.is_internal and "太贵" in internal.note
    public = sr.events.get(action="reject")
    assert "太贵" not in public.note  # the supervisor's words stay internal
    assert make_plan(sr, by=technician).number == 2


@pytest.mark.parametrize(
    "flags",
    [{"includes_replacement": True}, {"includes_refund": True}, {"includes_compensation": True}],
)
def test_replacement_refund_and_compensation_need_approval_at_any_price(sr, technician, flags):
    plan = services.plan_submit(make_plan(sr, by=technician, fee_lines=[], **flags), by=technician)
    assert plan.status == P.PENDING_APPROVAL


def test_a_complaints_plan_needs_approval(agent, technician, customer_a, team_a):
    sr = move_to(
        make_request(by=agent, customer=customer_a, team=team_a, kind="complaint"),
        "in_progress",
        by=agent,
        assignee=technician,
    )
    plan = services.plan_submit(
        make_plan(sr, by=technician, fee_lines=[], warranty="out", warranty_reason="无购买凭证"),
        by=technician,
    )
    assert plan.approval_reasons == [{"condition": "complaint"}]


def test_admins_rules_decide(sr, technician, admin_user):
    rule = ApprovalRule.objects.get(condition="total_above")
    services.approval_rule_update(rule, by=admin_user, data={"threshold": Decimal("50.00")})
    plan = services.plan_submit(make_plan(sr, by=technician), by=technician)  # 80.00
    assert plan.status == P.PENDING_APPROVAL
    with pytest.raises(NotAllowed):
        services.approval_rule_update(rule, by=technician, data={"is_active": False})
    with pytest.raises(DomainError) as caught:
        services.approval_rule_create(
            by=admin_user, data={"name": "x", "condition": "refund", "threshold": Decimal(1)}
        )
    assert "threshold" in caught.value.fields


def test_the_lifecycle_approve_button_decides_the_plan_too(
    sr, technician, supervisor, part, central, stock
):
    plan = services.plan_submit(
        services.plan_create(sr, by=technician, data=expensive(part, central)), by=technician
    )
    request_services.service_request_act(fresh(sr), "approve", by=supervisor, data={"note": "同意"})
    plan = fresh(plan)
    assert plan.status == P.PENDING_CONSENT and plan.decided_by == supervisor
    assert plan.parts.get().reservation.status == StockReservation.Status.ACTIVE
    assert fresh(sr).status == S.PENDING_CUSTOMER


def test_the_lifecycle_reject_button_rejects_the_plan(sr, technician, supervisor, part, central):
    plan = services.plan_submit(
        services.plan_create(sr, by=technician, data=expensive(part, central)), by=technician
    )
    request_services.service_request_act(
        fresh(sr), "reject", by=supervisor, data={"reason": "不同意"}
    )
    assert fresh(plan).status == P.REJECTED


def test_the_lifecycle_approve_button_is_refused_when_parts_are_short(
    sr, technician, supervisor, part, central
):
    plan = services.plan_submit(
        services.plan_create(sr, by=technician, data=expensive(part, central)), by=technician
    )
    with pytest.raises(DomainError):
        request_services.service_request_act(fresh(sr), "approve", by=supervisor)
    assert fresh(sr).status == S.PENDING_APPROVAL
    assert fresh(plan).status == P.PENDING_APPROVAL


# --- Consent ------------------------------------------------------------------------------


@pytest.fixture
def waiting(sr, technician, supervisor, part, central, stock):
    """A plan approved by the supervisor, waiting for the customer's answer."""
    plan = services.plan_submit(
        services.plan_create(sr, by=technician, data=expensive(part, central)), by=technician
    )
    return services.plan_approve(plan, by=supervisor)


def test_a_phone_agreement_resumes_the_work(waiting, sr, agent):
    plan = services.plan_consent_record(
        waiting, by=agent, agreed=True, statement="客户电话同意，下午可上门"
    )
    assert plan.status == P.APPROVED
    assert (plan.consent_agreed, plan.consent_channel, plan.consent_recorded_by) == (
        True,
        "phone",
        agent,
    )
    sr = fresh(sr)
    assert sr.status == S.IN_PROGRESS and sr.paused_since is None
    start = sr.events.filter(action="start").last()
    assert start.actor == agent and "客户电话同意" in start.note and not start.is_internal


def test_a_phone_answer_says_what_the_customer_said(waiting, agent):
    with pytest.raises(DomainError) as caught:
        services.plan_consent_record(waiting, by=agent, agreed=True, statement="")
    assert "statement" in caught.value.fields


def test_a_refusal_on_the_portal_declines_the_plan_and_frees_its_parts(
    waiting, sr, technician, part, central
):
    with pytest.raises(DomainError) as caught:
        services.plan_consent_answer(waiting, agreed=False, reason="")
    assert "reason" in caught.value.fields
    plan = services.plan_consent_answer(waiting, agreed=False, reason="太贵了，不修了")
    assert plan.status == P.DECLINED and plan.consent_channel == "portal"
    assert plan.parts.get().reservation.status == StockReservation.Status.RELEASED
    assert StockLevel.objects.get(warehouse=central, part=part).reserved == 0
    sr = fresh(sr)
    assert sr.status == S.IN_PROGRESS
    assert "太贵了，不修了" in sr.events.filter(action="start").last().note
    with pytest.raises(Conflict):
        services.plan_consent_answer(plan, agreed=True)
    assert make_plan(sr, by=technician).number == 2


def test_the_resolution_clock_stops_while_the_customer_decides(
    agent, technician, supervisor, customer_a, team_a, unit_out_of_warranty
):
    monday = datetime.datetime(
        2026, 3, 2, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8))
    )
    with time_machine.travel(monday, tick=False) as clock:
        sr = move_to(
            make_request(by=agent, customer=customer_a, team=team_a, serial_number="SN-OUT-1"),
            "in_progress",
            by=agent,
            assignee=technician,
        )
        due_before = sr.resolution_due_at
        plan = services.plan_submit(make_plan(sr, by=technician), by=technician)  # 80.00: asked
        sr = fresh(sr)
        assert sr.status == S.PENDING_CUSTOMER
        assert request_selectors.sla_block(sr)["resolution"]["state"] == "paused"
        clock.move_to(monday + datetime.timedelta(minutes=90))
        services.plan_consent_answer(plan, agreed=True)
        sr = fresh(sr)
    assert sr.status == S.IN_PROGRESS
    assert sr.resolution_due_at - due_before == datetime.timedelta(minutes=90)


# --- Parts follow the plan ----------------------------------------------------------------


def test_a_new_plan_replaces_an_approved_one_and_frees_its_parts(waiting, sr, agent, technician):
    services.plan_consent_record(waiting, by=agent, agreed=True, statement="同意")
    second = make_plan(sr, by=technician)
    old = fresh(waiting)
    assert old.status == P.SUPERSEDED
    assert old.parts.get().reservation.status == StockReservation.Status.RELEASED
    assert second.number == 2 and "plan.superseded" in actions(sr)


def test_cancelling_the_request_withdraws_the_plan_and_frees_its_parts(
    waiting, sr, agent, part, central
):
    request_services.service_request_act(fresh(sr), "cancel", by=agent, data={"reason": "客户撤回"})
    plan = fresh(waiting)
    assert plan.status == P.WITHDRAWN
    assert plan.parts.get().reservation.status == StockReservation.Status.RELEASED
    assert StockLevel.objects.get(warehouse=central, part=part).reserved == 0
    with pytest.raises(Conflict):
        services.plan_consent_answer(plan, agreed=True)


def test_a_cancelled_request_leaves_no_plan_in_the_queue(sr, technician, supervisor, agent):
    plan = services.plan_submit(
        make_plan(sr, by=technician, fee_lines=[], includes_refund=True), by=technician
    )
    from aftersales.repairs import selectors

    assert list(selectors.plans_pending_approval_for(supervisor)) == [plan]
    request_services.service_request_act(fresh(sr), "cancel", by=agent, data={"reason": "重复"})
    assert fresh(plan).status == P.WITHDRAWN
    assert not selectors.plans_pending_approval_for(supervisor).exists()


def test_the_approval_queue_is_the_supervisors_own(
    sr, technician, supervisor, admin_user, agent, team_b
):
    from aftersales.accounts.models import User
    from aftersales.repairs import selectors

    plan = services.plan_submit(
        make_plan(sr, by=technician, fee_lines=[], includes_refund=True), by=technician
    )
    elsewhere = User.objects.create(username="lead2", role=User.Role.SUPERVISOR)
    elsewhere.teams.set([team_b])
    assert list(selectors.plans_pending_approval_for(supervisor)) == [plan]
    assert list(selectors.plans_pending_approval_for(admin_user)) == [plan]
    assert not selectors.plans_pending_approval_for(elsewhere).exists()
    assert not selectors.plans_pending_approval_for(agent).exists()


def test_every_step_is_in_the_history(waiting, sr, agent):
    services.plan_consent_record(waiting, by=agent, agreed=True, statement="同意")
    seen = actions(sr)
    for action in (
        "plan.created",
        "plan.submitted",
        "request-approval",
        "plan.approved",
        "approve",
        "wait-customer",
        "start",
    ):
        assert action in seen, action
    assert ServiceRequestEvent.objects.filter(
        request=sr, action="plan.approved", is_internal=True
    ).exists()


def test_timeline_titles_name_the_plan_steps(waiting, sr, agent):
    from django.utils import translation

    from aftersales.service_requests import display

    with translation.override("en"):
        titles = [str(entry.title) for entry in display.timeline(agent, fresh(sr))]
    assert "Solution plan approved" in titles and "Solution plan drafted" in titles


def test_mail_goes_out_in_the_customers_language(sr, technician, customer_a):
    customer_a.language = "en"
    customer_a.save()
    plan = services.plan_submit(make_plan(sr, by=technician), by=technician)
    mail = OutboxMessage.objects.get(key=f"plan-consent:{plan.pk}")
    assert "please agree to our plan" in mail.subject
    assert timezone.now() - plan.consent_requested_at < datetime.timedelta(minutes=1)

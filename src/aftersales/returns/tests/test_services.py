"""Each step's rules, the whole refund and replacement paths, history, mail and money."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import translation

from aftersales.catalog.models import Unit
from aftersales.core.errors import Conflict, DomainError, InvalidTransition, NotAllowed
from aftersales.notifications.models import Notification, OutboxMessage
from aftersales.parts.models import Warehouse
from aftersales.returns import numbering, services
from aftersales.returns.models import ReturnAuthorisation, ReturnPolicy
from aftersales.returns.tests.conftest import PNG
from aftersales.returns.tests.factories import make_rma_request, make_unit
from aftersales.service_requests import services as request_services
from aftersales.service_requests.models import ServiceRequestEvent

pytestmark = pytest.mark.django_db
TODAY = numbering.today


def rma_events(request):
    return list(
        ServiceRequestEvent.objects.filter(request=request, action__startswith="rma.")
        .order_by("id")
        .values_list("action", flat=True)
    )


def mails(rma):
    return sorted(
        OutboxMessage.objects.filter(key__startswith=f"rma:{rma.pk}:").values_list("key", flat=True)
    )


def received_and_inspected(rma, *, agent, technician, result="fault_confirmed", notes=""):
    rma = services.rma_receive(rma, by=agent)
    return services.rma_inspect(rma, by=technician, result=result, notes=notes)


# --- The two whole paths ---------------------------------------------------------------------


def test_the_whole_refund_path(sr, agent, technician, unit, settings):
    settings.CURRENCY = "CNY"
    store = Warehouse.objects.create(code="WH-R", name="退货仓")
    rma = services.rma_authorise(sr, by=agent, decision="refund", purchase_price=Decimal("2999.00"))
    assert rma.number == f"RMA-{TODAY():%Y%m%d}-0001"
    assert (rma.status, rma.eligibility_outcome, rma.is_exception) == (
        "authorised",
        "refund",
        False,
    )
    rma = services.rma_ship_in(
        rma, by=agent, carrier="顺丰速运", tracking_number="SF1234567890", shipped_on=TODAY()
    )
    assert rma.status == "awaiting_shipment"
    rma = services.rma_receive(
        rma,
        by=agent,
        condition_notes="外包装完好，配件齐全",
        warehouse=store,
        photos=[SimpleUploadedFile("箱子.png", PNG)],
    )
    assert (rma.status, rma.received_at_date, rma.warehouse) == ("received", TODAY(), store)
    photo = rma.receipt_photos.get()
    assert photo.request_id == sr.pk and photo.is_internal
    rma = services.rma_inspect(rma, by=technician, result="fault_confirmed")
    assert rma.status == "inspected"
    rma = services.rma_refund(
        rma, by=agent, amount=Decimal("999.99"), method="original_payment", reference="PAY-1"
    )
    assert rma.status == "refunded"
    assert rma.refund_amount == Decimal("999.99") and rma.refund_amount.as_tuple().exponent == -2
    assert rma.unit_returned_at is not None and rma.closed_at is not None
    sr.refresh_from_db()
    assert sr.status == "resolved"
    assert "999.99 CNY" in sr.resolution and rma.number in sr.resolution
    assert rma_events(sr) == [
        "rma.authorised",
        "rma.shipped_in",
        "rma.received",
        "rma.inspected",
        "rma.refunded",
    ]
    event = ServiceRequestEvent.objects.get(request=sr, action="rma.refunded")
    assert event.kind == "updated" and event.actor == agent
    assert event.changes["refund_amount"] == [None, "999.99"]
    assert event.changes["rma_status"] == ["inspected", "refunded"]
    created = ServiceRequestEvent.objects.get(request=sr, action="rma.authorised")
    assert created.changes["rma"] == [None, rma.number]
    # The staff's notes stay on the RMA, out of the history the customer reads.
    assert not ServiceRequestEvent.objects.filter(request=sr, note__contains="外包装").exists()
    assert mails(rma) == [f"rma:{rma.pk}:{k}" for k in ("authorised", "received", "refunded")]
    unit.refresh_from_db()
    assert unit.customer_id == sr.customer_id  # kept, marked returned on the RMA


def test_the_whole_replacement_path(agent, technician, customer_a):
    old = make_unit(customer=customer_a, serial="SN-OLD", bought_days_ago=40)
    sr = make_rma_request(by=agent, unit=old, kind="replacement")
    sr = request_services.service_request_act(sr, "assign", by=agent, data={"assignee": technician})
    rma = services.rma_authorise(sr, by=agent, decision="replacement")
    assert rma.eligibility_outcome == "replacement" and rma.needs_fault
    rma = received_and_inspected(rma, agent=agent, technician=technician)
    rma = services.rma_replace(rma, by=agent, serial_number="SN-NEW", batch_number="B7")
    assert rma.status == "replaced"
    new = Unit.objects.get(serial_number="SN-NEW")
    assert (new.customer, new.product, new.batch_number) == (customer_a, old.product, "B7")
    assert new.purchase_date == TODAY()  # the warranty starts anew
    assert rma.replacement_unit == new and rma.unit_returned_at is not None
    rma = services.rma_ship_out(rma, by=agent, carrier="京东物流", tracking_number="JD0001")
    assert rma.status == "closed" and rma.outbound_shipped_on == TODAY()
    sr.refresh_from_db()
    assert sr.status == "resolved" and "SN-NEW" in sr.resolution
    assert mails(rma) == [f"rma:{rma.pk}:{k}" for k in ("authorised", "received", "shipped_out")]
    body = OutboxMessage.objects.get(key=f"rma:{rma.pk}:shipped_out").body
    assert "SN-NEW" in body and "JD0001" in body
    # Delivery is added later; no second mail, no second resolution.
    rma = services.rma_ship_out(
        rma, by=agent, carrier="京东物流", tracking_number="JD0001", delivered_on=TODAY()
    )
    assert rma.outbound_delivered_on == TODAY()
    assert OutboxMessage.objects.filter(key__startswith=f"rma:{rma.pk}:").count() == 3


def test_a_unit_in_stock_may_be_the_replacement(sr, agent, technician, customer_b):
    stock = make_unit(customer=None, serial="SN-STOCK", bought_days_ago=None)
    sold = make_unit(customer=customer_b, serial="SN-SOLD")
    rma = services.rma_authorise(sr, by=agent, decision="replacement")
    rma = received_and_inspected(rma, agent=agent, technician=technician)
    with pytest.raises(DomainError) as refused:
        services.rma_replace(rma, by=agent, replacement_unit=sold)
    assert "replacement_unit" in refused.value.fields
    with pytest.raises(DomainError) as refused:
        services.rma_replace(rma, by=agent, replacement_unit=stock, serial_number="X")
    assert "serial_number" in refused.value.fields
    with pytest.raises(DomainError, match="registered already"):
        services.rma_replace(rma, by=agent, serial_number="SN-SOLD")
    rma = services.rma_replace(rma, by=agent, replacement_unit=stock)
    stock.refresh_from_db()
    assert stock.customer_id == sr.customer_id and stock.purchase_date == TODAY()


# --- Order of the steps ------------------------------------------------------------------------


def test_steps_out_of_order_are_refused_with_a_clear_message(sr, agent, technician):
    rma = services.rma_authorise(sr, by=agent, decision="refund")
    with pytest.raises(InvalidTransition, match="must be received before it is inspected"):
        services.rma_inspect(rma, by=technician, result="fault_confirmed")
    with pytest.raises(InvalidTransition, match="received and inspected first"):
        services.rma_refund(rma, by=agent, amount=Decimal("10.00"), method="cash", reason="x")
    with pytest.raises(InvalidTransition, match="not “Replacement”"):
        services.rma_replace(rma, by=agent, serial_number="SN-X")
    with pytest.raises(InvalidTransition, match="before the unit is received and inspected"):
        services.rma_ship_out(rma, by=agent, carrier="顺丰")
    rma = services.rma_receive(rma, by=agent)
    with pytest.raises(InvalidTransition, match="received already"):
        services.rma_receive(rma, by=agent)
    with pytest.raises(InvalidTransition, match="received already"):
        services.rma_ship_in(rma, by=agent, carrier="顺丰", tracking_number="SF1")
    rma = services.rma_inspect(rma, by=technician, result="fault_confirmed")
    with pytest.raises(InvalidTransition, match="inspected already"):
        services.rma_inspect(rma, by=technician, result="fault_confirmed")
    with pytest.raises(InvalidTransition, match="refund or the replacement first"):
        services.rma_ship_out(rma, by=agent, carrier="顺丰")
    rma = services.rma_refund(rma, by=agent, amount=Decimal("10.00"), method="cash", reason="x")
    with pytest.raises(InvalidTransition, match="cannot be cancelled"):
        services.rma_cancel(rma, by=agent, reason="客户改主意")
    assert ReturnAuthorisation.objects.get().status == "refunded"


def test_a_stale_version_is_refused(sr, agent):
    rma = services.rma_authorise(sr, by=agent, decision="refund")
    services.rma_ship_in(rma, by=agent, carrier="顺丰", tracking_number="SF1", expected_version=1)
    with pytest.raises(Conflict, match="Someone else changed this RMA"):
        services.rma_ship_in(
            rma, by=agent, carrier="顺丰", tracking_number="SF2", expected_version=1
        )
    assert ReturnAuthorisation.objects.get().inbound_tracking == "SF1"


def test_one_current_rma_per_request(sr, agent):
    first = services.rma_authorise(sr, by=agent, decision="refund")
    with pytest.raises(Conflict, match=first.number):
        services.rma_authorise(sr, by=agent, decision="repair")
    services.rma_cancel(first, by=agent, reason="客户撤回")
    second = services.rma_authorise(sr, by=agent, decision="repair")
    assert second.number.endswith("-0002") and second.status == "authorised"


def test_a_refusal_is_recorded_with_its_reason_and_allows_a_new_decision(sr, agent):
    with pytest.raises(DomainError) as refused:
        services.rma_authorise(sr, by=agent, decision="refused")
    assert "reason" in refused.value.fields
    rma = services.rma_authorise(sr, by=agent, decision="refused", reason="发票与序列号不符")
    assert (rma.status, rma.decision_reason) == ("closed", "发票与序列号不符")
    assert rma_events(sr) == ["rma.refused"] and mails(rma) == []
    with pytest.raises(InvalidTransition, match="refused"):
        services.rma_ship_in(rma, by=agent, carrier="顺丰", tracking_number="SF1")
    assert services.rma_authorise(sr, by=agent, decision="repair").status == "authorised"


def test_a_request_without_a_registered_unit_cannot_decide(agent, customer_a):
    from aftersales.service_requests.tests.factories import make_request

    sr = make_request(by=agent, customer=customer_a, kind="return")
    with pytest.raises(DomainError) as refused:
        services.rma_authorise(sr, by=agent, decision="refund")
    assert "unit" in refused.value.fields


def test_a_unit_is_returned_once(sr, agent, technician, unit):
    rma = services.rma_authorise(sr, by=agent, decision="refund")
    rma = received_and_inspected(rma, agent=agent, technician=technician)
    services.rma_refund(rma, by=agent, amount=Decimal("10.00"), method="cash", reason="发票遗失")
    again = make_rma_request(by=agent, unit=unit)
    with pytest.raises(DomainError, match=f"returned already under {rma.number}"):
        services.rma_authorise(again, by=agent, decision="refund")


# --- Eligibility and exceptions -------------------------------------------------------------


def test_beyond_the_terms_only_a_supervisor_grants_an_exception(agent, supervisor, customer_a):
    unit = make_unit(customer=customer_a, serial="SN-LATE", bought_days_ago=20)
    sr = make_rma_request(by=agent, unit=unit, category="usage")
    with pytest.raises(NotAllowed, match="Only a supervisor") as refused:
        services.rma_authorise(sr, by=agent, decision="refund")
    assert "decision" in refused.value.fields
    with pytest.raises(DomainError) as refused:
        services.rma_authorise(sr, by=supervisor, decision="refund")
    assert "reason" in refused.value.fields
    rma = services.rma_authorise(sr, by=supervisor, decision="refund", reason="老客户，特批")
    assert rma.is_exception and rma.eligibility_outcome == "repair"
    # A repair is always possible.
    services.rma_cancel(rma, by=supervisor, reason="改为维修")
    assert not services.rma_authorise(sr, by=agent, decision="repair").is_exception


def test_without_a_purchase_date_staff_decide_and_record_why(agent, customer_a):
    unit = make_unit(customer=customer_a, serial="SN-NODATE", bought_days_ago=None)
    sr = make_rma_request(by=agent, unit=unit)
    with pytest.raises(DomainError) as refused:
        services.rma_authorise(sr, by=agent, decision="refund")
    assert "record why" in refused.value.fields["reason"][0]
    rma = services.rma_authorise(sr, by=agent, decision="refund", reason="客户出示了京东订单")
    assert rma.eligibility_outcome == "staff_decide" and not rma.is_exception


def test_the_product_policy_sets_the_windows(agent, customer_a):
    unit = make_unit(customer=customer_a, serial="SN-POLICY", bought_days_ago=25)
    services.return_policy_set(unit.product, by=None, return_days=30, replacement_days=30)
    sr = make_rma_request(by=agent, unit=unit, category="usage")
    assert services.rma_authorise(sr, by=agent, decision="refund").return_days == 30
    with pytest.raises(DomainError):
        services.return_policy_set(unit.product, by=None, return_days=30, replacement_days=10)
    assert ReturnPolicy.objects.get().replacement_days == 30


def test_an_inspection_without_the_fault_sends_the_unit_back(agent, technician, customer_a):
    unit = make_unit(customer=customer_a, serial="SN-Q", bought_days_ago=100)
    sr = make_rma_request(by=agent, unit=unit, kind="replacement")
    sr = request_services.service_request_act(sr, "assign", by=agent, data={"assignee": technician})
    rma = services.rma_authorise(sr, by=agent, decision="replacement")
    rma = services.rma_receive(rma, by=agent)
    with pytest.raises(DomainError) as refused:
        services.rma_inspect(rma, by=technician, result="no_fault_found")
    assert "notes" in refused.value.fields
    rma = services.rma_inspect(rma, by=technician, result="no_fault_found", notes="通电测试正常")
    with pytest.raises(InvalidTransition, match="goes back to the customer"):
        services.rma_replace(rma, by=agent, serial_number="SN-Q2")
    rma = services.rma_ship_out(rma, by=agent, carrier="顺丰", tracking_number="SF9")
    sr.refresh_from_db()
    assert rma.status == "closed" and rma.unit_returned_at is None
    assert sr.status == "resolved" and "sent back" in sr.resolution


def test_damage_by_the_customer_refuses_a_refund(sr, agent, technician):
    rma = services.rma_authorise(sr, by=agent, decision="refund")
    rma = received_and_inspected(
        rma, agent=agent, technician=technician, result="customer_damage", notes="外壳摔裂"
    )
    with pytest.raises(InvalidTransition, match="Damage by the customer"):
        services.rma_refund(rma, by=agent, amount=Decimal("1.00"), method="cash", reason="x")
    assert services.rma_cancel(rma, by=agent, reason="客户同意取回").status == "cancelled"


# --- Money -----------------------------------------------------------------------------------


@override_settings(RMA_REFUND_SUPERVISOR_ABOVE=Decimal("1000.00"))
def test_a_refund_above_the_threshold_needs_a_supervisor(sr, agent, supervisor, technician):
    rma = services.rma_authorise(sr, by=agent, decision="refund")
    rma = received_and_inspected(rma, agent=agent, technician=technician)
    with pytest.raises(NotAllowed, match="needs a supervisor") as refused:
        services.rma_refund(rma, by=agent, amount=Decimal("1000.01"), method="cash", reason="x")
    assert "amount" in refused.value.fields
    rma = services.rma_refund(
        rma, by=supervisor, amount=Decimal("1000.01"), method="cash", reason="发票遗失"
    )
    assert rma.refund_amount == Decimal("1000.01") and rma.refunded_by == supervisor


def test_exactly_the_threshold_is_within_an_agents_reach(sr, agent, technician):
    rma = services.rma_authorise(sr, by=agent, decision="refund")
    rma = received_and_inspected(rma, agent=agent, technician=technician)
    rma = services.rma_refund(rma, by=agent, amount="1000.00", method="cash", reason="x")
    assert rma.refund_amount == Decimal("1000.00")


def test_amounts_are_exact_and_bounded_by_the_price(sr, agent, technician):
    rma = services.rma_authorise(sr, by=agent, decision="refund", purchase_price=Decimal("0.30"))
    rma = received_and_inspected(rma, agent=agent, technician=technician)
    for wrong, message in [
        ("0.301", "two decimal places"),
        ("0", "more than zero"),
        ("-1", "more than zero"),
        ("abc", "such as 199.00"),
        ("NaN", "more than zero"),
        ("0.31", "more than the purchase price, 0.30 CNY"),
    ]:
        with pytest.raises(DomainError, match=message) as refused:
            services.rma_refund(rma, by=agent, amount=wrong, method="cash")
        assert "amount" in refused.value.fields
    # 0.1 + 0.2 is 0.30 exactly: no float on the way.
    rma = services.rma_refund(rma, by=agent, amount=Decimal("0.1") + Decimal("0.2"), method="cash")
    assert rma.refund_amount == Decimal("0.30") and str(rma.refund_amount) == "0.30"


def test_without_a_price_a_refund_needs_a_reason(sr, agent, technician):
    rma = services.rma_authorise(sr, by=agent, decision="refund")
    rma = received_and_inspected(rma, agent=agent, technician=technician)
    with pytest.raises(DomainError) as refused:
        services.rma_refund(rma, by=agent, amount=Decimal("50.00"), method="alipay")
    assert "reason" in refused.value.fields


# --- Who ---------------------------------------------------------------------------------------


def test_warehouse_staff_handle_the_parcels_of_requests_they_cannot_see(
    sr, agent, technician, warehouse_user
):
    rma = services.rma_authorise(sr, by=agent, decision="repair")
    with pytest.raises(NotAllowed):
        services.rma_authorise(
            make_rma_request(by=agent, unit=make_unit(customer=sr.customer, serial="SN-W")),
            by=warehouse_user,
            decision="refund",
        )
    rma = services.rma_ship_in(rma, by=warehouse_user, carrier="顺丰", tracking_number="SF1")
    rma = services.rma_receive(rma, by=warehouse_user)
    with pytest.raises(NotAllowed):
        services.rma_inspect(rma, by=warehouse_user, result="fault_confirmed")
    rma = services.rma_inspect(rma, by=technician, result="fault_confirmed")
    with pytest.raises(NotAllowed):
        services.rma_cancel(rma, by=warehouse_user, reason="x")
    rma = services.rma_ship_out(rma, by=warehouse_user, carrier="顺丰", tracking_number="SF2")
    sr.refresh_from_db()
    # Warehouse staff may not resolve the request: its assignee is told to.
    assert sr.status == "in_progress"
    assert "rma.done" in rma_events(sr)
    assert Notification.objects.filter(recipient=technician, key=f"rma-done:{rma.pk}").exists()


def test_only_whoever_works_the_request_inspects(sr, agent, other_technician, technician):
    rma = services.rma_authorise(sr, by=agent, decision="refund")
    rma = services.rma_receive(rma, by=agent)
    with pytest.raises(NotAllowed):
        services.rma_inspect(rma, by=other_technician, result="fault_confirmed")
    with pytest.raises(NotAllowed):
        services.rma_authorise(sr, by=technician, decision="refund")


def test_the_customer_tells_us_their_tracking_number(sr, agent, customer_user, other_customer_user):
    rma = services.rma_authorise(sr, by=agent, decision="refund")
    with pytest.raises(NotAllowed):
        services.rma_ship_in(rma, by=other_customer_user, carrier="顺丰", tracking_number="SF1")
    rma = services.rma_ship_in(rma, by=customer_user, carrier="顺丰", tracking_number="SF1")
    assert rma.status == "awaiting_shipment"
    with pytest.raises(NotAllowed):
        services.rma_receive(rma, by=customer_user)


# --- Dates and mail --------------------------------------------------------------------------


def test_dates_cannot_be_in_the_future_or_before_the_decision(sr, agent):
    rma = services.rma_authorise(sr, by=agent, decision="refund")
    tomorrow = TODAY() + datetime.timedelta(days=1)
    with pytest.raises(DomainError) as refused:
        services.rma_ship_in(
            rma, by=agent, carrier="顺丰", tracking_number="SF", shipped_on=tomorrow
        )
    assert "shipped_on" in refused.value.fields
    with pytest.raises(DomainError) as refused:
        services.rma_receive(rma, by=agent, received_on=TODAY() - datetime.timedelta(days=1))
    assert "received_on" in refused.value.fields


def test_mail_goes_once_per_step_in_the_customers_language(sr, agent, customer_a, settings):
    settings.RMA_RETURN_ADDRESS = "上海市闵行区退货中心 2 号门"
    customer_a.language = "en"
    customer_a.save()
    rma = services.rma_authorise(sr, by=agent, decision="refund")
    mail = OutboxMessage.objects.get(key=f"rma:{rma.pk}:authorised")
    assert mail.to_address == "zhang@example.com" and mail.reference == sr.number
    assert mail.subject == f"Your return {rma.number} is authorised: what to do next"
    assert rma.number in mail.body and "上海市闵行区退货中心 2 号门" in mail.body
    assert f"/portal/track/?number={sr.number}" in mail.body
    # The same step noticed again writes no second mail.
    from aftersales.returns import notices

    notices.customer_mail("authorised", rma)
    assert OutboxMessage.objects.filter(key__startswith=f"rma:{rma.pk}:").count() == 1


def test_the_mail_language_falls_back_to_chinese(sr, agent, customer_a):
    from aftersales.notices.services import customer_language

    rma = services.rma_authorise(sr, by=agent, decision="refund")
    mail = OutboxMessage.objects.get(key=f"rma:{rma.pk}:authorised")
    assert "已" in mail.subject  # no language known: Simplified Chinese
    customer_a.language = "zh_Hant"
    assert customer_language(customer_a) == "zh-hant"
    customer_a.language = "fr"
    assert customer_language(customer_a) == "zh-hans"


def test_no_message_without_an_address(agent, customer_b):
    customer_b.email = customer_b.phone = ""
    customer_b.save()
    unit = make_unit(customer=customer_b, serial="SN-NOMAIL")
    sr = make_rma_request(by=agent, unit=unit)
    rma = services.rma_authorise(sr, by=agent, decision="refund")
    assert mails(rma) == []


def test_the_history_titles_the_rma_lines(sr, agent):
    from aftersales.service_requests import display

    services.rma_authorise(sr, by=agent, decision="refund")
    with translation.override("en"):
        titles = [entry.title for entry in display.timeline(agent, sr)]
    assert "Return authorised" in titles

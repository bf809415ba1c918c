"""Stock use cases: each change moves the level and writes its ledger line, or refuses and
changes nothing."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import translation

from aftersales.core.errors import Conflict, DomainError, NotAllowed
from aftersales.parts import services
from aftersales.parts.models import (
    MAX_ON_HAND,
    StockLevel,
    StockMovement,
    StockReservation,
    Warehouse,
)
from aftersales.parts.tests.factories import make_part, make_van, make_warehouse, stocked
from aftersales.service_requests.models import ServiceRequest
from aftersales.service_requests.tests.factories import move_to

K = StockMovement.Kind


def level(warehouse, part) -> StockLevel:
    return StockLevel.objects.get(warehouse=warehouse, part=part)


def ledger(warehouse, part) -> tuple[int, int]:
    sums = StockMovement.objects.filter(warehouse=warehouse, part=part).aggregate(
        on_hand=Sum("on_hand_change"), reserved=Sum("reserved_change")
    )
    return sums["on_hand"] or 0, sums["reserved"] or 0


def assert_ledger_explains(warehouse, part):
    current = level(warehouse, part)
    assert ledger(warehouse, part) == (current.on_hand, current.reserved)


# --- Receive -----------------------------------------------------------------------------


def test_receiving_creates_the_level_and_writes_a_receipt(central, part, warehouse_clerk):
    result = services.stock_receive(
        warehouse=central, part=part, quantity=12, by=warehouse_clerk, note="采购单 PO-1"
    )
    assert (result.on_hand, result.reserved, result.available) == (12, 0, 12)
    services.stock_receive(warehouse=central, part=part, quantity=3, by=warehouse_clerk)
    assert level(central, part).on_hand == 15
    receipts = StockMovement.objects.filter(kind=K.RECEIPT).order_by("id")
    assert [(m.on_hand_change, m.reserved_change, m.by, m.note) for m in receipts] == [
        (12, 0, warehouse_clerk, "采购单 PO-1"),
        (3, 0, warehouse_clerk, ""),
    ]
    assert_ledger_explains(central, part)


@pytest.mark.parametrize("quantity", [0, -1, 1.5, "3", True, None, 1_000_001])
def test_quantities_must_be_positive_whole_numbers(central, part, admin_user, quantity):
    with pytest.raises(DomainError) as caught:
        services.stock_receive(warehouse=central, part=part, quantity=quantity, by=admin_user)
    assert list(caught.value.fields) == ["quantity"]
    assert not StockLevel.objects.exists()
    assert not StockMovement.objects.exists()


def test_a_level_cannot_grow_past_its_limit(central, part):
    services.stock_adjust(
        warehouse=central, part=part, counted=MAX_ON_HAND - 5, by=None, reason="盘点"
    )
    with pytest.raises(DomainError) as caught:
        stocked(central, part, 6)
    assert "quantity" in caught.value.fields
    assert level(central, part).on_hand == MAX_ON_HAND - 5


def test_closed_warehouses_and_retired_parts_receive_nothing(central, part, admin_user):
    services.warehouse_update(central, by=admin_user, data={"is_active": False})
    central.refresh_from_db()
    with pytest.raises(DomainError) as caught:
        services.stock_receive(warehouse=central, part=part, quantity=1, by=admin_user)
    assert "warehouse" in caught.value.fields
    other = make_warehouse()
    services.part_update(part, by=admin_user, data={"is_active": False})
    part.refresh_from_db()
    with pytest.raises(DomainError) as caught:
        services.stock_receive(warehouse=other, part=part, quantity=1, by=admin_user)
    assert "part" in caught.value.fields


def test_notes_refuse_control_characters(central, part, admin_user):
    with pytest.raises(DomainError) as caught:
        services.stock_receive(
            warehouse=central, part=part, quantity=1, by=admin_user, note="bad\x00note"
        )
    assert "note" in caught.value.fields


# --- Adjust ------------------------------------------------------------------------------


def test_a_stock_take_sets_the_count_and_records_the_difference(central, part, supervisor):
    stocked(central, part, 10)
    result = services.stock_adjust(
        warehouse=central, part=part, counted=7, by=supervisor, reason="盘点：3 个损坏"
    )
    assert result.on_hand == 7
    adjustment = StockMovement.objects.get(kind=K.ADJUSTMENT)
    assert (adjustment.on_hand_change, adjustment.note, adjustment.by) == (
        -3,
        "盘点：3 个损坏",
        supervisor,
    )
    services.stock_adjust(
        warehouse=central, part=part, counted=9, by=supervisor, reason="找到 2 个"
    )
    assert level(central, part).on_hand == 9
    assert_ledger_explains(central, part)


def test_a_stock_take_that_confirms_the_count_is_recorded(central, part, supervisor):
    stocked(central, part, 4)
    services.stock_adjust(warehouse=central, part=part, counted=4, by=supervisor, reason="月度盘点")
    assert StockMovement.objects.get(kind=K.ADJUSTMENT).on_hand_change == 0


def test_a_stock_take_needs_a_reason(central, part, supervisor):
    stocked(central, part, 4)
    with pytest.raises(DomainError) as caught:
        services.stock_adjust(warehouse=central, part=part, counted=2, by=supervisor, reason="  ")
    assert list(caught.value.fields) == ["reason"]
    assert level(central, part).on_hand == 4


def test_a_stock_take_cannot_go_below_what_is_reserved(central, part, supervisor, sr, agent):
    stocked(central, part, 5)
    services.stock_reserve(warehouse=central, part=part, quantity=3, service_request=sr, by=agent)
    with pytest.raises(DomainError) as caught:
        services.stock_adjust(warehouse=central, part=part, counted=2, by=supervisor, reason="丢失")
    assert list(caught.value.fields) == ["counted"]
    assert caught.value.extra["reserved"] == 3
    assert level(central, part).on_hand == 5
    services.stock_adjust(warehouse=central, part=part, counted=3, by=supervisor, reason="丢失")
    assert (level(central, part).on_hand, level(central, part).available) == (3, 0)


@pytest.mark.parametrize("counted", [-1, 2.0, "7", None])
def test_a_count_is_a_whole_number_not_below_zero(central, part, supervisor, counted):
    with pytest.raises(DomainError) as caught:
        services.stock_adjust(
            warehouse=central, part=part, counted=counted, by=supervisor, reason="x"
        )
    assert list(caught.value.fields) == ["counted"]


# --- Transfer ----------------------------------------------------------------------------


def test_transferring_to_a_van_moves_stock_and_writes_both_sides(
    central, van, part, warehouse_clerk
):
    stocked(central, part, 10)
    source, destination = services.stock_transfer(
        source=central, destination=van, part=part, quantity=4, by=warehouse_clerk, note="周一补货"
    )
    assert (source.on_hand, destination.on_hand) == (6, 4)
    out = StockMovement.objects.get(kind=K.TRANSFER_OUT)
    into = StockMovement.objects.get(kind=K.TRANSFER_IN)
    assert (out.warehouse, out.counterpart, out.on_hand_change) == (central, van, -4)
    assert (into.warehouse, into.counterpart, into.on_hand_change) == (van, central, 4)
    assert_ledger_explains(central, part)
    assert_ledger_explains(van, part)


def test_reserved_units_cannot_be_transferred(central, van, part, admin_user, sr, agent):
    stocked(central, part, 5)
    services.stock_reserve(warehouse=central, part=part, quantity=4, service_request=sr, by=agent)
    with pytest.raises(DomainError) as caught:
        services.stock_transfer(
            source=central, destination=van, part=part, quantity=2, by=admin_user
        )
    assert list(caught.value.fields) == ["quantity"]
    assert caught.value.extra["available"] == 1
    assert "1" in caught.value.message
    assert level(central, part).on_hand == 5
    assert not StockLevel.objects.filter(warehouse=van, part=part, on_hand__gt=0).exists()
    assert not StockMovement.objects.filter(kind__in=[K.TRANSFER_IN, K.TRANSFER_OUT]).exists()


def test_transfer_from_a_warehouse_without_the_part(central, van, part, admin_user):
    with pytest.raises(DomainError) as caught:
        services.stock_transfer(
            source=van, destination=central, part=part, quantity=1, by=admin_user
        )
    assert caught.value.extra["available"] == 0


def test_transfer_needs_two_different_warehouses(central, part, admin_user):
    stocked(central, part, 5)
    with pytest.raises(DomainError) as caught:
        services.stock_transfer(
            source=central, destination=central, part=part, quantity=1, by=admin_user
        )
    assert list(caught.value.fields) == ["destination"]


# --- Reserve, release, consume -----------------------------------------------------------


def test_reserving_holds_units_for_the_request(central, part, sr, technician):
    stocked(central, part, 5)
    reservation = services.stock_reserve(
        warehouse=central, part=part, quantity=2, service_request=sr, by=technician
    )
    assert (reservation.status, reservation.quantity, reservation.reserved_by) == (
        "active",
        2,
        technician,
    )
    current = level(central, part)
    assert (current.on_hand, current.reserved, current.available) == (5, 2, 3)
    line = StockMovement.objects.get(kind=K.RESERVATION)
    assert (line.reserved_change, line.on_hand_change, line.service_request, line.reservation) == (
        2,
        0,
        sr,
        reservation,
    )


def test_reserving_more_than_available_says_how_many_there_are(central, part, sr, agent):
    stocked(central, part, 3)
    services.stock_reserve(warehouse=central, part=part, quantity=2, service_request=sr, by=agent)
    with translation.override("en"), pytest.raises(DomainError) as caught:
        services.stock_reserve(
            warehouse=central, part=part, quantity=2, service_request=sr, by=agent
        )
    assert list(caught.value.fields) == ["quantity"]
    assert caught.value.extra["available"] == 1
    assert "1 of CAP-35UF available" in caught.value.message
    assert StockReservation.objects.count() == 1
    assert level(central, part).reserved == 2


def test_reserving_where_nothing_was_ever_stocked(central, part, sr, agent):
    with pytest.raises(DomainError) as caught:
        services.stock_reserve(
            warehouse=central, part=part, quantity=1, service_request=sr, by=agent
        )
    assert caught.value.extra["available"] == 0
    assert not StockLevel.objects.exists()


def test_no_reservations_for_a_finished_request(central, part, agent, customer_a):
    from aftersales.service_requests.tests.factories import make_request

    stocked(central, part, 3)
    done = move_to(make_request(by=agent, customer=customer_a), "cancelled", by=agent)
    with pytest.raises(DomainError) as caught:
        services.stock_reserve(
            warehouse=central, part=part, quantity=1, service_request=done, by=agent
        )
    assert list(caught.value.fields) == ["service_request"]


def test_releasing_returns_units_to_available_once(central, part, sr, technician):
    stocked(central, part, 5)
    reservation = services.stock_reserve(
        warehouse=central, part=part, quantity=2, service_request=sr, by=technician
    )
    released = services.stock_release(reservation, by=technician, note="客户改期")
    assert released.status == "released" and released.closed_at is not None
    assert (level(central, part).on_hand, level(central, part).reserved) == (5, 0)
    with pytest.raises(Conflict):
        services.stock_release(reservation, by=technician)
    with pytest.raises(Conflict):
        services.stock_consume(reservation, by=technician)
    assert level(central, part).reserved == 0
    assert StockMovement.objects.filter(kind=K.RELEASE).count() == 1
    assert_ledger_explains(central, part)


def test_consuming_a_reservation_takes_the_units(central, part, sr, technician):
    stocked(central, part, 5)
    reservation = services.stock_reserve(
        warehouse=central, part=part, quantity=2, service_request=sr, by=technician
    )
    used = services.stock_consume(reservation, by=technician)
    assert (used.status, used.consumed_quantity) == ("consumed", 2)
    current = level(central, part)
    assert (current.on_hand, current.reserved) == (3, 0)
    line = StockMovement.objects.get(kind=K.CONSUMPTION)
    assert (line.on_hand_change, line.reserved_change, line.service_request) == (-2, -2, sr)
    assert_ledger_explains(central, part)


def test_consuming_part_of_a_reservation_releases_the_rest(central, part, sr, technician):
    stocked(central, part, 5)
    reservation = services.stock_reserve(
        warehouse=central, part=part, quantity=3, service_request=sr, by=technician
    )
    used = services.stock_consume(reservation, by=technician, quantity=1)
    assert (used.status, used.consumed_quantity) == ("consumed", 1)
    current = level(central, part)
    assert (current.on_hand, current.reserved) == (4, 0)
    lines = StockMovement.objects.filter(reservation=reservation).order_by("id")
    assert [(m.kind, m.on_hand_change, m.reserved_change) for m in lines] == [
        (K.RESERVATION, 0, 3),
        (K.CONSUMPTION, -1, -1),
        (K.RELEASE, 0, -2),
    ]
    assert_ledger_explains(central, part)


@pytest.mark.parametrize("quantity", [4, 0, -1, "2"])
def test_consuming_checks_the_quantity(central, part, sr, technician, quantity):
    stocked(central, part, 5)
    reservation = services.stock_reserve(
        warehouse=central, part=part, quantity=3, service_request=sr, by=technician
    )
    with pytest.raises(DomainError) as caught:
        services.stock_consume(reservation, by=technician, quantity=quantity)
    assert list(caught.value.fields) == ["quantity"]
    reservation.refresh_from_db()
    assert reservation.status == "active"
    assert level(central, part).reserved == 3


def test_a_technician_takes_directly_from_their_own_van(central, van, part, sr, technician):
    stocked(van, part, 2)
    movement = services.stock_consume_direct(
        warehouse=van, part=part, quantity=1, service_request=sr, by=technician, note="现场更换"
    )
    assert (movement.kind, movement.on_hand_change, movement.reservation) == (
        K.CONSUMPTION,
        -1,
        None,
    )
    assert level(van, part).on_hand == 1
    stocked(central, part, 5)
    with pytest.raises(NotAllowed):
        services.stock_consume_direct(
            warehouse=central, part=part, quantity=1, service_request=sr, by=technician
        )
    assert level(central, part).on_hand == 5


def test_direct_use_cannot_take_reserved_units(van, part, sr, technician):
    stocked(van, part, 2)
    services.stock_reserve(warehouse=van, part=part, quantity=2, service_request=sr, by=technician)
    with pytest.raises(DomainError) as caught:
        services.stock_consume_direct(
            warehouse=van, part=part, quantity=1, service_request=sr, by=technician
        )
    assert caught.value.extra["available"] == 0
    assert level(van, part).on_hand == 2


# --- Who may ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actor", "allowed"),
    [
        ("admin_user", True),
        ("supervisor", True),
        ("warehouse_clerk", True),
        ("department", False),  # department staff outside a warehouse team
        ("agent", False),
        ("technician", False),
        ("analyst", False),
        ("customer_user", False),
    ],
)
def test_who_may_receive_count_and_transfer(request, central, van, part, actor, allowed):
    user = request.getfixturevalue(actor)
    stocked(central, part, 5)
    calls = [
        lambda: services.stock_receive(warehouse=central, part=part, quantity=1, by=user),
        lambda: services.stock_adjust(
            warehouse=central, part=part, counted=3, by=user, reason="盘点"
        ),
        lambda: services.stock_transfer(
            source=central, destination=van, part=part, quantity=1, by=user
        ),
    ]
    for call in calls:
        if allowed:
            call()
        else:
            with pytest.raises(NotAllowed):
                call()
    assert level(central, part).on_hand == (2 if allowed else 5)


@pytest.mark.parametrize(
    ("actor", "allowed"),
    [
        ("agent", True),
        ("technician", True),  # assigned
        ("supervisor", True),  # of the request's team
        ("admin_user", True),
        ("other_technician", False),
        ("department", False),
        ("analyst", False),
        ("customer_user", False),
        ("warehouse_clerk", False),
    ],
)
def test_who_may_reserve_release_and_use_for_a_request(
    request, central, part, sr, technician, actor, allowed
):
    user = request.getfixturevalue(actor)
    stocked(central, part, 5)
    existing = services.stock_reserve(
        warehouse=central, part=part, quantity=1, service_request=sr, by=technician
    )
    other = services.stock_reserve(
        warehouse=central, part=part, quantity=1, service_request=sr, by=technician
    )
    calls = [
        lambda: services.stock_reserve(
            warehouse=central, part=part, quantity=1, service_request=sr, by=user
        ),
        lambda: services.stock_release(existing, by=user),
        lambda: services.stock_consume(other, by=user),
    ]
    if actor != "technician":  # a technician takes directly only from their van (above)
        calls.append(
            lambda: services.stock_consume_direct(
                warehouse=central, part=part, quantity=1, service_request=sr, by=user
            )
        )
    for call in calls:
        if allowed:
            call()
        else:
            with pytest.raises(NotAllowed):
                call()
    assert_ledger_explains(central, part)


# --- The database keeps the invariants -----------------------------------------------------


def test_movements_are_append_only(central, part):
    stocked(central, part, 1)
    movement = StockMovement.objects.get()
    movement.note = "改写"
    with pytest.raises(ValueError, match="append-only"):
        movement.save()
    with pytest.raises(ValueError, match="append-only"):
        movement.delete()


@pytest.mark.parametrize(
    "change",
    [{"on_hand": -1}, {"reserved": -1}, {"reserved": 6}, {"reorder_level": -1}],
    ids=["negative on hand", "negative reserved", "reserved above on hand", "negative reorder"],
)
def test_levels_refuse_impossible_numbers(central, part, change):
    stocked(central, part, 5)
    with pytest.raises(IntegrityError), transaction.atomic():
        StockLevel.objects.filter(warehouse=central, part=part).update(**change)


def test_a_van_has_exactly_one_technician(admin_user, technician, agent):
    with pytest.raises(DomainError) as caught:
        services.warehouse_create(
            by=admin_user, data={"code": "VAN-X", "name": "车", "kind": Warehouse.Kind.VAN}
        )
    assert list(caught.value.fields) == ["technician"]
    with pytest.raises(DomainError) as caught:
        services.warehouse_create(
            by=admin_user,
            data={"code": "VAN-A", "name": "车", "kind": Warehouse.Kind.VAN, "technician": agent},
        )
    assert list(caught.value.fields) == ["technician"]
    make_van(technician)
    with pytest.raises(DomainError) as caught:
        make_van(technician, code="VAN-2")
    assert list(caught.value.fields) == ["technician"]
    with pytest.raises(IntegrityError), transaction.atomic():
        Warehouse.objects.create(code="VAN-RAW", name="车", kind=Warehouse.Kind.VAN)


def test_catalogue_changes_are_validated_and_for_admins(admin_user, supervisor):
    make_part(part_number="FLT-1")
    with pytest.raises(DomainError) as caught:
        make_part(part_number="FLT-1")
    assert "part_number" in caught.value.fields
    with pytest.raises(DomainError) as caught:
        make_part(unit_price=Decimal("-1"))
    assert "unit_price" in caught.value.fields
    with pytest.raises(NotAllowed):
        services.part_create(by=supervisor, data={"part_number": "X-1", "name": "x"})
    with pytest.raises(NotAllowed):
        services.warehouse_create(by=supervisor, data={"code": "W", "name": "w"})


def test_a_request_closed_since_it_was_loaded_gets_no_parts(central, part, sr, agent):
    stocked(central, part, 3)
    move_to(ServiceRequest.objects.get(pk=sr.pk), "cancelled", by=agent)
    assert sr.status == "assigned"  # the caller's copy is stale
    with pytest.raises(DomainError) as caught:
        services.stock_consume_direct(
            warehouse=central, part=part, quantity=1, service_request=sr, by=agent
        )
    assert list(caught.value.fields) == ["service_request"]
    assert level(central, part).on_hand == 3

"""Whatever sequence of stock operations runs, accepted or refused, every level keeps
0 <= reserved <= on hand, and the ledger explains it exactly."""

import pytest
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aftersales.core.errors import DomainError
from aftersales.parts import services
from aftersales.parts.models import StockLevel, StockMovement, StockReservation
from aftersales.parts.tests.factories import make_warehouse

WAREHOUSE = st.sampled_from([0, 1])
QUANTITY = st.integers(min_value=-1, max_value=8)
OPERATIONS = st.one_of(
    st.tuples(st.just("receive"), WAREHOUSE, QUANTITY),
    st.tuples(st.just("adjust"), WAREHOUSE, st.integers(min_value=-1, max_value=12)),
    st.tuples(st.just("transfer"), WAREHOUSE, QUANTITY),
    st.tuples(st.just("reserve"), WAREHOUSE, QUANTITY),
    st.tuples(st.just("release"), st.integers(min_value=0, max_value=9), st.none()),
    st.tuples(
        st.just("consume"),
        st.integers(min_value=0, max_value=9),
        st.one_of(st.none(), QUANTITY),
    ),
    st.tuples(st.just("direct"), WAREHOUSE, QUANTITY),
)


def _snapshot() -> tuple:
    levels = tuple(StockLevel.objects.order_by("pk").values_list("pk", "on_hand", "reserved"))
    return levels, StockMovement.objects.count()


def _check_invariants(warehouses, part) -> None:
    for warehouse in warehouses:
        level = StockLevel.objects.filter(warehouse=warehouse, part=part).first()
        on_hand, reserved = (level.on_hand, level.reserved) if level else (0, 0)
        assert 0 <= reserved <= on_hand
        sums = StockMovement.objects.filter(warehouse=warehouse, part=part).aggregate(
            on_hand=Sum("on_hand_change"), reserved=Sum("reserved_change")
        )
        assert (sums["on_hand"] or 0, sums["reserved"] or 0) == (on_hand, reserved)
        active = StockReservation.objects.filter(
            warehouse=warehouse, part=part, status=StockReservation.Status.ACTIVE
        ).aggregate(total=Sum("quantity"))
        assert (active["total"] or 0) == reserved


@pytest.fixture
def two_warehouses(central):
    return [central, make_warehouse(code="WH-SOUTH", name="华南分仓", kind="regional")]


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)
@given(operations=st.lists(OPERATIONS, max_size=20))
def test_any_sequence_keeps_stock_consistent(operations, two_warehouses, part, sr, admin_user):
    warehouses = two_warehouses
    with transaction.atomic():
        reservations: list[StockReservation] = []
        for name, target, amount in operations:
            before = _snapshot()
            try:
                if name == "receive":
                    services.stock_receive(
                        warehouse=warehouses[target], part=part, quantity=amount, by=admin_user
                    )
                elif name == "adjust":
                    services.stock_adjust(
                        warehouse=warehouses[target],
                        part=part,
                        counted=amount,
                        by=admin_user,
                        reason="盘点",
                    )
                elif name == "transfer":
                    services.stock_transfer(
                        source=warehouses[target],
                        destination=warehouses[1 - target],
                        part=part,
                        quantity=amount,
                        by=admin_user,
                    )
                elif name == "reserve":
                    reservations.append(
                        services.stock_reserve(
                            warehouse=warehouses[target],
                            part=part,
                            quantity=amount,
                            service_request=sr,
                            by=admin_user,
                        )
                    )
                elif name in ("release", "consume"):
                    if not reservations:
                        continue
                    reservation = reservations[target % len(reservations)]
                    if name == "release":
                        services.stock_release(reservation, by=admin_user)
                    else:
                        services.stock_consume(reservation, by=admin_user, quantity=amount)
                else:
                    services.stock_consume_direct(
                        warehouse=warehouses[target],
                        part=part,
                        quantity=amount,
                        service_request=sr,
                        by=admin_user,
                    )
            except DomainError:
                assert _snapshot() == before, f"a refused {name} changed stock"
            _check_invariants(warehouses, part)
        transaction.set_rollback(True)

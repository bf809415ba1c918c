"""The demo stock builds through the services and leaves a consistent ledger."""

from django.db.models import Sum

from aftersales.accounts.models import User
from aftersales.catalog.models import Product
from aftersales.parts.demo import PARTS, VAN_KIT, parts_demo_seed
from aftersales.parts.models import StockLevel, StockMovement, Warehouse


def test_demo_stock(technician, other_technician, warehouse_clerk):
    for model in ("KFR-26GW/BP3", "JSQ25-13A1", "RO-600G"):
        Product.objects.create(model=model, name=model)
    result = parts_demo_seed(by=warehouse_clerk)
    assert result == {"warehouses": 4, "parts": len(PARTS), "uses": 0}
    for tech in User.objects.filter(role=User.Role.TECHNICIAN):
        van = Warehouse.objects.get(technician=tech)
        kit = dict(
            StockLevel.objects.filter(warehouse=van).values_list("part__part_number", "on_hand")
        )
        assert kit == VAN_KIT
    assert (
        StockLevel.objects.filter(warehouse__code="WH-SH-01", part__part_number="AC-EXV-72")
        .get()
        .is_low
    )
    for level in StockLevel.objects.all():
        sums = StockMovement.objects.filter(warehouse=level.warehouse, part=level.part).aggregate(
            on_hand=Sum("on_hand_change")
        )
        assert sums["on_hand"] == level.on_hand
    assert StockMovement.objects.filter(by=warehouse_clerk).exists()

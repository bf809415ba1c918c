"""Parts, warehouses and stock built through the real services where stock is concerned."""

from decimal import Decimal
from typing import Any

from aftersales.accounts.models import User
from aftersales.parts import services
from aftersales.parts.models import Part, StockLevel, Warehouse

_counter = {"part": 0, "warehouse": 0}


def make_part(**data: Any) -> Part:
    _counter["part"] += 1
    data.setdefault("part_number", f"P-{_counter['part']:04d}")
    data.setdefault("name", "压缩机启动电容")
    data.setdefault("name_en", "Compressor start capacitor")
    data.setdefault("unit_price", Decimal("35.00"))
    return services.part_create(by=None, data=data)


def make_warehouse(**data: Any) -> Warehouse:
    _counter["warehouse"] += 1
    data.setdefault("code", f"WH-{_counter['warehouse']:03d}")
    data.setdefault("name", "中央备件库")
    data.setdefault("kind", Warehouse.Kind.CENTRAL)
    return services.warehouse_create(by=None, data=data)


def make_van(technician: User, **data: Any) -> Warehouse:
    data.setdefault("code", f"VAN-{technician.username}")
    data.setdefault("name", f"{technician.username} 的服务车")
    return make_warehouse(kind=Warehouse.Kind.VAN, technician=technician, **data)


def stocked(warehouse: Warehouse, part: Part, on_hand: int) -> StockLevel:
    """A level holding `on_hand`, received by the system (so the ledger explains it)."""
    return services.stock_receive(warehouse=warehouse, part=part, quantity=on_hand, by=None)

"""Demo stock: a central store, a regional one, a van per technician, sixteen parts that fit
the demo products, and a ledger with receipts, transfers, a count, reservations and uses.

Built through the services, like the rest of the demo, so the ledger explains every unit.
Called by `core.demo.demo_seed` once the requests exist (it reserves and uses parts for
some of them).
"""

from decimal import Decimal

from aftersales.accounts.models import User
from aftersales.catalog.models import Product
from aftersales.parts import services
from aftersales.parts.models import Part, Warehouse
from aftersales.service_requests.models import ServiceRequest

AC = ["KFR-26GW/BP3", "KFR-35GW/BP3", "KFR-72LW/BP2", "KFR-120T2W/SC"]
GAS = ["JSQ25-13A1", "JSQ30-16B2"]

# (part number, name, English name, unit price, fits, serialised, central stock, reorder level)
PARTS = [
    (
        "AC-CAP-35",
        "压缩机运行电容 35μF",
        "Compressor run capacitor 35 µF",
        "18.00",
        AC[:3],
        False,
        120,
        20,
    ),
    (
        "AC-PCB-BP3",
        "变频空调室外主板",
        "Outdoor inverter control board",
        "420.00",
        AC[:2],
        True,
        4,
        5,
    ),
    (
        "AC-FAN-IN",
        "室内贯流风扇电机",
        "Indoor cross-flow fan motor",
        "165.00",
        AC[:2],
        False,
        18,
        4,
    ),
    ("AC-TEMP-SNS", "管温传感器", "Pipe temperature sensor", "12.50", AC, False, 200, 30),
    ("AC-EXV-72", "电子膨胀阀", "Electronic expansion valve", "230.00", AC[2:], False, 3, 5),
    ("AC-REMOTE", "空调遥控器", "Air-conditioner remote control", "45.00", AC, False, 60, 10),
    ("WH-IGN-01", "点火针", "Ignition electrode", "15.00", GAS, False, 150, 20),
    ("WH-FLOW-SW", "水流量传感器", "Water flow sensor", "58.00", GAS, False, 40, 8),
    ("WH-FAN-DC", "直流风机", "DC blower fan", "260.00", GAS[1:], True, 6, 3),
    ("WH-ANODE", "镁棒", "Magnesium anode rod", "35.00", ["DSZF-60A", "KRS-200"], False, 80, 10),
    ("WH-HEAT-2K", "加热管 2kW", "Heating element 2 kW", "120.00", ["DSZF-60A"], False, 25, 5),
    ("WP-RO-600", "反渗透膜 600G", "RO membrane 600G", "298.00", ["RO-600G"], False, 30, 6),
    ("WP-RO-1000", "反渗透膜 1000G", "RO membrane 1000G", "398.00", ["RO-1000G"], False, 2, 4),
    (
        "WP-PP-10",
        "PP 棉滤芯",
        "PP sediment filter",
        "25.00",
        ["RO-600G", "RO-1000G"],
        False,
        300,
        40,
    ),
    (
        "AP-HEPA-500",
        "HEPA 复合滤网",
        "HEPA composite filter",
        "189.00",
        ["KJ500F-A1"],
        False,
        35,
        8,
    ),
    ("AP-HEPA-800", "HEPA 滤网 Pro", "HEPA filter Pro", "259.00", ["KJ800F-Pro"], False, 20, 6),
]
# What every van carries: the small parts most visits need.
VAN_KIT = {"AC-CAP-35": 4, "AC-TEMP-SNS": 6, "WH-IGN-01": 5, "WP-PP-10": 6, "WH-ANODE": 2}
# What the regional store takes from the central one.
REGIONAL = {"AC-CAP-35": 30, "AC-FAN-IN": 4, "AC-TEMP-SNS": 40, "WH-IGN-01": 30, "WP-PP-10": 60}


def parts_demo_seed(*, by: User) -> dict[str, int]:
    """Build the demo stock; `by` is the warehouse clerk who receives and ships it."""
    central = services.warehouse_create(
        by=None,
        data={"code": "WH-SH-01", "name": "上海中央备件库", "name_en": "Shanghai central store"},
    )
    regional = services.warehouse_create(
        by=None,
        data={
            "code": "WH-GZ-01",
            "name": "广州华南分仓",
            "name_en": "Guangzhou regional store",
            "kind": Warehouse.Kind.REGIONAL,
        },
    )
    technicians = User.objects.filter(role=User.Role.TECHNICIAN, is_active=True).order_by(
        "username"
    )
    vans = {
        technician.pk: services.warehouse_create(
            by=None,
            data={
                "code": f"VAN-{technician.username.upper()}",
                "name": f"{technician.display_name}的服务车",
                "name_en": f"Service van of {technician.username}",
                "kind": Warehouse.Kind.VAN,
                "technician": technician,
            },
        )
        for technician in technicians
    }
    parts: dict[str, Part] = {}
    for number, name, name_en, price, fits, serialised, stock, reorder in PARTS:
        part = services.part_create(
            by=None,
            data={
                "part_number": number,
                "name": name,
                "name_en": name_en,
                "unit_price": Decimal(price),
                "serialised": serialised,
                "products": list(Product.objects.filter(model__in=fits)),
            },
        )
        parts[number] = part
        services.stock_receive(
            warehouse=central, part=part, quantity=stock, by=by, note="年度采购 / annual order"
        )
        services.stock_set_reorder_level(warehouse=central, part=part, reorder_level=reorder, by=by)
    for number, quantity in REGIONAL.items():
        services.stock_transfer(
            source=central, destination=regional, part=parts[number], quantity=quantity, by=by
        )
    for van in vans.values():
        for number, quantity in VAN_KIT.items():
            services.stock_transfer(
                source=central, destination=van, part=parts[number], quantity=quantity, by=by
            )
            services.stock_set_reorder_level(
                warehouse=van, part=parts[number], reorder_level=1, by=by
            )
    services.stock_adjust(
        warehouse=central,
        part=parts["AC-REMOTE"],
        counted=58,
        by=by,
        reason="月度盘点：2 个外壳破损，报废 / monthly count: 2 broken",
    )
    used = _use_for_requests(central, vans, parts)
    return {"warehouses": 2 + len(vans), "parts": len(parts), "uses": used}


def _use_for_requests(
    central: Warehouse, vans: dict[int, Warehouse], parts: dict[str, Part]
) -> int:
    """Open air-conditioner repairs get a capacitor reserved; resolved ones used a sensor
    from their technician's van."""
    ac_repairs = ServiceRequest.objects.filter(
        kind=ServiceRequest.Kind.REPAIR,
        product__model__in=AC,
        assignee__role=User.Role.TECHNICIAN,
    ).select_related("assignee")
    used = 0
    open_ones = ac_repairs.filter(status__in=ServiceRequest.OPEN_STATUSES).order_by("number")[:6]
    for request in open_ones:
        services.stock_reserve(
            warehouse=central,
            part=parts["AC-CAP-35"],
            quantity=1,
            service_request=request,
            by=request.assignee,
        )
        used += 1
    resolved = ac_repairs.filter(status=ServiceRequest.Status.RESOLVED).order_by("number")[:4]
    for request in resolved:
        van = vans.get(request.assignee_id)
        if van is None:
            continue
        services.stock_consume_direct(
            warehouse=van,
            part=parts["AC-TEMP-SNS"],
            quantity=1,
            service_request=request,
            by=request.assignee,
            note="更换管温传感器 / replaced the pipe sensor",
        )
        used += 1
    return used

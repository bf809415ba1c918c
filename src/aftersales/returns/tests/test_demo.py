from aftersales.returns.demo import returns_demo_seed
from aftersales.returns.models import ReturnAuthorisation
from aftersales.returns.tests.factories import make_rma_request, make_unit


def test_demo_rmas_show_each_step(agent, warehouse_user, customer_a):
    for index, (days, kind) in enumerate(
        [(2, "return"), (3, "return"), (9, "replacement"), (1, "return"), (10, "replacement")]
    ):
        unit = make_unit(customer=customer_a, serial=f"SN-DEMO-{index}", bought_days_ago=days)
        make_rma_request(by=agent, unit=unit, kind=kind, title=f"退换 {index}")
    assert returns_demo_seed(warehouse=warehouse_user) == 5
    statuses = dict(ReturnAuthorisation.objects.values_list("unit__serial_number", "status"))
    assert statuses == {
        "SN-DEMO-0": "authorised",
        "SN-DEMO-1": "awaiting_shipment",
        "SN-DEMO-2": "received",
        "SN-DEMO-3": "refunded",
        "SN-DEMO-4": "inspected",  # waiting for staff to choose the replacement
    }

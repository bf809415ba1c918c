"""Demo returns: a few open return and replacement requests get an RMA, each left at another
step — just authorised, on its way to us, received, inspected and waiting for the
replacement, refunded, or repaired and sent back.

Built through the services, like the rest of the demo. Called by `core.demo.demo_seed`
after the requests, the staff and the stock exist.
"""

from decimal import Decimal

from aftersales.accounts.models import User
from aftersales.returns import selectors, services
from aftersales.service_requests.models import ServiceRequest

S = ServiceRequest.Status
DEPTH = ("authorised", "shipped", "received", "done", "done")


def returns_demo_seed(*, warehouse: User | None = None) -> int:
    """RMAs for up to five open return or replacement requests; returns how many were made."""
    agent = User.objects.filter(role=User.Role.AGENT, is_active=True).order_by("username").first()
    if agent is None:
        return 0
    warehouse = warehouse or agent
    candidates = list(
        ServiceRequest.objects.filter(
            status__in=ServiceRequest.OPEN_STATUSES,
            kind__in=[ServiceRequest.Kind.RETURN, ServiceRequest.Kind.REPLACEMENT],
            unit__customer__isnull=False,
        )
        .select_related("unit__product", "customer")
        .order_by("number")[: len(DEPTH)]
    )
    for index, request in enumerate(candidates):
        terms = selectors.eligibility_for_request(request)
        decision = "refund" if terms.refund else "replacement" if terms.replacement else "repair"
        rma = services.rma_authorise(
            request,
            by=agent,
            decision=decision,
            reason="客户提供了购买凭证" if terms.outcome == "staff_decide" else "",
            purchase_price=Decimal("899.00") if decision == "refund" else None,
        )
        depth = DEPTH[index]
        if depth == "authorised":
            continue
        rma = services.rma_ship_in(
            rma, by=agent, carrier="顺丰速运", tracking_number=f"SF{1300000000 + rma.pk}"
        )
        if depth == "shipped":
            continue
        rma = services.rma_receive(rma, by=warehouse, condition_notes="外包装完好，配件齐全")
        if depth == "received":
            continue
        rma = services.rma_inspect(rma, by=agent, result="fault_confirmed", notes="通电复现故障")
        if decision == "refund":
            services.rma_refund(rma, by=agent, amount=Decimal("899.00"), method="original_payment")
            continue
        if decision == "replacement":
            # Left for staff to choose the replacement: the demo's catalogue of sold units
            # stays as it was built.
            continue
        services.rma_ship_out(
            rma, by=warehouse, carrier="京东物流", tracking_number=f"JD{8800000000 + rma.pk}"
        )
    return len(candidates)

"""Complaints at each step, through the real services."""

from typing import Any

from aftersales.complaints import services
from aftersales.complaints.models import Complaint, Proposal


def register(agent: Any, customer: Any, **data: Any) -> Complaint:
    data.setdefault("subject", "热水器安装后漏水，维修两次仍未解决，地板被泡坏")
    data.setdefault("wanted", "更换新机并赔偿地板")
    return services.complaint_register(by=agent, customer=customer, data=data)


def investigated(agent: Any, customer: Any, **data: Any) -> Complaint:
    complaint = register(agent, customer, **data)
    services.complaint_contact_add(
        complaint, by=agent, method="phone", facts="客户确认漏水点在进水接头"
    )
    return services.complaint_investigate(
        complaint,
        by=agent,
        data={
            "severity": "major",
            "fault": "partial",
            "fault_percent": 70,
            "founded": True,
            "findings": "安装时接头未拧紧",
            "other_demands": "希望上门道歉",
        },
    )


LINES = [
    {"kind": "compensation_product", "product": None, "quantity": 1, "unit_value": "1999.00"},
    {"kind": "gift", "description": "保温杯", "quantity": 2, "unit_value": "49.50"},
]


def proposed(agent: Any, customer: Any, product: Any, lines: list | None = None) -> Proposal:
    complaint = investigated(agent, customer)
    if lines is None:
        lines = [dict(line) for line in LINES]
        lines[0]["product"] = product
    return services.proposal_create(
        complaint, by=agent, data={"reasoning": "长期客户，我方安装过失", "lines": lines}
    )


def offered(agent: Any, lead: Any, customer: Any, product: Any, **kwargs: Any) -> Proposal:
    proposal = services.proposal_submit(proposed(agent, customer, product, **kwargs), by=agent)
    return services.proposal_approve(proposal, by=lead)

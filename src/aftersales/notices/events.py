"""What we tell the customer, and what each message may say.

Each event has its variables (all plain text: a template cannot reach into the database)
and sample values for the preview. Essential messages are part of the service (the receipt,
appointments, approvals, the resolution); the others a customer may decline.
"""

from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

COMMON = {
    "name": _("the customer's or contact's name"),
    "number": _("the service number"),
    "title": _("the request's title"),
    "track_link": _("the link to follow the request on the portal"),
}
OPTIONAL = {"opt_out_link": _("the link to stop optional messages")}
COMMON_SAMPLE = {
    "name": "王芳",
    "number": "SR-2026-000123",
    "title": "洗衣机不脱水 / Washer does not spin",
    "track_link": "https://service.example.com/portal/track/?number=SR-2026-000123",
    "opt_out_link": "https://service.example.com/notices/optional/…/",
}


@dataclass(frozen=True)
class Event:
    name: str
    label: Promise
    essential: bool
    variables: dict[str, Promise] = field(default_factory=dict)
    sample: dict[str, str] = field(default_factory=dict)

    def all_variables(self) -> dict[str, Promise]:
        return {**COMMON, **self.variables, **({} if self.essential else OPTIONAL)}

    def sample_values(self) -> dict[str, str]:
        return {
            name: {**COMMON_SAMPLE, **self.sample}.get(name, name) for name in self.all_variables()
        }


_WINDOW = {
    "window": _("the visit's time window"),
    "time_zone": _("the time zone of the window"),
}
_WINDOW_SAMPLE = {"window": "2026-10-12 09:00–11:00", "time_zone": "Asia/Shanghai"}
_LINK = {
    "link": _("the customer's personal link"),
    "valid_until": _("until when the link works"),
}
_LINK_SAMPLE = {
    "link": "https://service.example.com/p/…/",
    "valid_until": "2026-10-19 17:00",
}

EVENTS = {
    event.name: event
    for event in [
        Event(
            "receipt",
            _("Receipt"),
            True,
            {"response_due": _("the promised time of our first answer")},
            {"response_due": "2026-10-09 17:00"},
        ),
        Event(
            "assignment",
            _("Assigned to a technician"),
            False,
            {"technician": _("the technician's name"), "team": _("the team")},
            {"technician": "李工", "team": "上海维修一组"},
        ),
        Event(
            "visit_booked",
            _("Visit booked"),
            True,
            {**_WINDOW, "address": _("the visit's address")},
            {**_WINDOW_SAMPLE, "address": "上海市浦东新区XX路88号"},
        ),
        Event(
            "visit_rescheduled",
            _("Visit moved"),
            True,
            {
                **_WINDOW,
                "previous_window": _("the window before the change"),
                "address": _("the visit's address"),
            },
            {
                **_WINDOW_SAMPLE,
                "previous_window": "2026-10-11 14:00–16:00",
                "address": "上海市浦东新区XX路88号",
            },
        ),
        Event("visit_cancelled", _("Visit cancelled"), True, _WINDOW, _WINDOW_SAMPLE),
        Event("visit_no_one_home", _("No one home at the visit"), True, _WINDOW, _WINDOW_SAMPLE),
        Event(
            "plan_consent",
            _("Plan to approve"),
            True,
            {"plan_number": _("the plan's number"), **_LINK},
            {"plan_number": "2", **_LINK_SAMPLE},
        ),
        Event(
            "resolved",
            _("Resolved: is it fixed?"),
            True,
            {"resolution": _("how it was resolved"), **_LINK},
            {"resolution": "更换排水泵 / Drain pump replaced", **_LINK_SAMPLE},
        ),
        Event("survey", _("Satisfaction survey"), False, _LINK, _LINK_SAMPLE),
        Event("complaint_offer", _("Complaint: proposal to sign"), True, _LINK, _LINK_SAMPLE),
        Event(
            "complaint_satisfaction",
            _("Complaint: are you satisfied?"),
            True,
            _LINK,
            _LINK_SAMPLE,
        ),
        Event(
            "rma_authorised",
            _("Return authorised"),
            True,
            {
                "rma": _("the return number"),
                "decision": _("what we will do (repair, replace, refund)"),
                "return_address": _("where to send the unit"),
            },
            {"rma": "RMA-2026-0042", "decision": "换货 / Replace", "return_address": "苏州…"},
        ),
        Event(
            "rma_received",
            _("Return received"),
            True,
            {"rma": _("the return number"), "received_on": _("the day we received it")},
            {"rma": "RMA-2026-0042", "received_on": "2026-10-15"},
        ),
        Event(
            "rma_refunded",
            _("Refund paid"),
            True,
            {
                "rma": _("the return number"),
                "amount": _("the amount"),
                "method": _("how it was paid"),
                "refunded_on": _("the day of the refund"),
                "payment_reference": _("the payment's reference"),
            },
            {
                "rma": "RMA-2026-0042",
                "amount": "¥1,299.00",
                "method": "原路退回 / Original payment",
                "refunded_on": "2026-10-20",
                "payment_reference": "WX20261020",
            },
        ),
        Event(
            "rma_shipped_out",
            _("Unit sent back"),
            True,
            {
                "rma": _("the return number"),
                "replacement_serial": _("the replacement's serial number, if any"),
                "carrier": _("the carrier"),
                "tracking": _("the tracking number"),
            },
            {
                "rma": "RMA-2026-0042",
                "replacement_serial": "WM2026X0099",
                "carrier": "顺丰 SF Express",
                "tracking": "SF1234567890",
            },
        ),
        Event("closed", _("Request closed"), False),
    ]
}

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReturnsConfig(AppConfig):
    name = "aftersales.returns"
    verbose_name = _("Returns and replacements")

    def ready(self) -> None:
        from aftersales.returns.models import Decision, InspectionResult, Status
        from aftersales.service_requests import display

        # How the request's history names the lines this app writes (kind "updated").
        display.EVENT_TITLES.update(
            {
                "rma.authorised": _("Return authorised"),
                "rma.refused": _("Return refused"),
                "rma.shipped_in": _("Customer's shipment"),
                "rma.received": _("Returned unit received"),
                "rma.inspected": _("Returned unit inspected"),
                "rma.refunded": _("Refund paid"),
                "rma.replaced": _("Replacement unit"),
                "rma.shipped_out": _("Our shipment to the customer"),
                "rma.cancelled": _("RMA cancelled"),
                "rma.done": _("Return carried out"),
            }
        )
        display.CHANGE_LABELS.update(
            {
                "rma": (_("RMA"), None),
                "rma_status": (_("RMA status"), dict(Status.choices)),
                "rma_decision": (_("Decision"), dict(Decision.choices)),
                "inspection_result": (_("Inspection result"), dict(InspectionResult.choices)),
                "inbound_tracking": (_("Customer's shipment"), None),
                "outbound_tracking": (_("Our shipment"), None),
                "received_on": (_("Received on"), None),
                "refund_amount": (_("Refund"), None),
                "replacement_unit": (_("Replacement unit"), None),
            }
        )

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RepairRecordsConfig(AppConfig):
    name = "aftersales.repair_records"
    verbose_name = _("Repair records and verification")

    def ready(self) -> None:
        from aftersales.repair_records import receivers  # noqa: F401 - connects the receivers
        from aftersales.service_requests import display

        # How the request's history names the lines this app writes.
        display.EVENT_TITLES.update(
            {
                "repair_record.added": _("Repair record"),
                "repair_record.changed": _("Repair record changed"),
                "repair_record.part_used": _("Part used"),
                "confirmation.satisfied": _("The customer confirmed the fix"),
            }
        )

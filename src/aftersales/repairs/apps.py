from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RepairsConfig(AppConfig):
    name = "aftersales.repairs"
    verbose_name = _("Diagnosis and solution plans")

    def ready(self) -> None:
        from aftersales.repairs import receivers  # noqa: F401 - connects the receivers
        from aftersales.service_requests import display

        # How the request's history names the lines this app writes.
        display.EVENT_TITLES.update(
            {
                "diagnosis.recorded": _("Diagnosis"),
                "plan.created": _("Solution plan drafted"),
                "plan.superseded": _("Solution plan replaced"),
                "plan.submitted": _("Solution plan submitted"),
                "plan.approved": _("Solution plan approved"),
                "plan.rejected": _("Solution plan rejected"),
                "plan.parts_released": _("Parts released"),
                "plan.answered": _("Customer's answer to the plan"),
                "plan.withdrawn": _("Solution plan withdrawn"),
            }
        )

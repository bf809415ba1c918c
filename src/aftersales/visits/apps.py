from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitsConfig(AppConfig):
    name = "aftersales.visits"
    verbose_name = _("On-site visits")

    def ready(self) -> None:
        from aftersales.service_requests import display
        from aftersales.visits import receivers  # noqa: F401 - connects the receivers

        # How the request's history names the lines this app writes.
        display.EVENT_TITLES.update(
            {
                "visit.booked": _("Visit booked"),
                "visit.rescheduled": _("Visit rescheduled"),
                "visit.cancelled": _("Visit cancelled"),
                "visit.en_route": _("Technician on the way"),
                "visit.arrived": _("Technician on site"),
                "visit.no_one_home": _("No one home at the visit"),
                "visit.done": _("Visit done"),
            }
        )

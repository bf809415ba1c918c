from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceRequestsConfig(AppConfig):
    name = "aftersales.service_requests"
    verbose_name = _("Service requests")

    def ready(self) -> None:
        from aftersales.service_requests import receivers  # noqa: F401 - connects the signal receivers

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    name = "aftersales.sla"
    label = "sla"
    verbose_name = _("Response-time promises (SLA)")

    def ready(self) -> None:
        from aftersales.sla import receivers  # noqa: F401 - connects the signal receivers

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QualityConfig(AppConfig):
    name = "aftersales.quality"
    verbose_name = _("Quality feedback")

    def ready(self) -> None:
        from aftersales.service_requests import display

        display.EVENT_TITLES.update(
            {
                "quality.linked": _("Linked to a problem record"),
                "quality.unlinked": _("Unlinked from a problem record"),
            }
        )

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "aftersales.imports"
    verbose_name = _("Bulk import")

    def ready(self) -> None:
        from aftersales.service_requests import display

        # How the request's history names the line an import writes (kind "updated").
        display.EVENT_TITLES.update({"import.imported": _("Imported from a file")})

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "aftersales.search"
    verbose_name = _("Search")

    def ready(self) -> None:
        from aftersales.search import receivers  # noqa: F401 - connects the signal receivers

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "aftersales.notices"
    verbose_name = _("Customer messages")

    def ready(self) -> None:
        from aftersales.notices import receivers  # noqa: F401

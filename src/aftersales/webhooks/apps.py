from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "aftersales.webhooks"
    verbose_name = _("Webhooks and integrations")

    def ready(self) -> None:
        from aftersales.webhooks import receivers

        receivers.connect()

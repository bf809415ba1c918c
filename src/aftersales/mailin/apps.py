from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailinConfig(AppConfig):
    name = "aftersales.mailin"
    verbose_name = _("Email intake")

    def ready(self) -> None:
        from aftersales.service_requests import display

        # How the request's history names the lines this app writes (kind "updated").
        display.EVENT_TITLES.update({"mail.bounced": _("Mail not delivered")})

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "aftersales.surveys"
    verbose_name = _("Satisfaction surveys")

    def ready(self) -> None:
        from aftersales.service_requests import display

        display.EVENT_TITLES.update(
            {
                "survey.invited": _("Survey link"),
                "survey.answered": _("Survey answered"),
            }
        )

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupsConfig(AppConfig):
    name = "aftersales.followups"
    verbose_name = _("Follow-up visits")

    def ready(self) -> None:
        from aftersales.followups import receivers, rules, services  # noqa: F401
        from aftersales.followups.models import Method
        from aftersales.service_requests import display, transitions

        rules.check()
        transitions.add_guard("close", services.close_guard)
        display.EVENT_TITLES.update(
            {
                "followup.planned": _("Follow-up planned"),
                "followup.attempt": _("Follow-up call: not reached"),
                "followup.done": _("Follow-up done"),
                "followup.given_up": _("Follow-up given up"),
                "followup.expired": _("Follow-up: no answer"),
                "followup.cancelled": _("Follow-up cancelled"),
                "followup.survey_skipped": _("No survey link"),
                "followup.assigned": _("Follow-up assigned"),
            }
        )
        display.CHANGE_LABELS["followup_method"] = (_("Method"), dict(Method.choices))
        display.CHANGE_LABELS["followup_assignee"] = (_("Follow-up assignee"), None)

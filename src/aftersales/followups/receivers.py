from typing import Any

from django.dispatch import receiver

from aftersales.service_requests import signals
from aftersales.surveys import signals as survey_signals


@receiver(signals.request_transitioned, dispatch_uid="followups_follow_lifecycle")
def follow_lifecycle(sender: Any, *, request: Any, action: str, by: Any, **kwargs: Any) -> None:
    # Same transaction as the action: a resolution plans its follow-up; a reopen or a
    # cancellation ends the open one; a close (allowed once it is past its days) ends it.
    from django.utils.translation import gettext as _

    from aftersales.followups import services

    if action == "resolve":
        services.followup_plan(request, by=by)
    elif action == "reopen":
        services.followup_cancel_open(request, reason=_("The request was reopened."), by=by)
    elif action == "cancel":
        services.followup_cancel_open(request, reason=_("The request was cancelled."), by=by)
    elif action == "close":
        services.followup_cancel_open(request, reason=_("The request was closed."), by=by)


@receiver(survey_signals.survey_answered, dispatch_uid="followups_survey_answered")
def survey_answered(sender: Any, *, response: Any, **kwargs: Any) -> None:
    from aftersales.followups import services

    services.followup_complete_from_survey(response)

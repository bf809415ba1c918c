"""The facts other apps announce, published as webhook events in the same transaction."""

import datetime
from typing import Any

from aftersales.service_requests import signals as request_signals
from aftersales.service_requests.models import ServiceRequest, ServiceRequestEvent
from aftersales.surveys import signals as survey_signals
from aftersales.webhooks import payloads, services
from aftersales.webhooks.models import Event


def _request_data(request_id: int, **extra: Any) -> dict[str, Any]:
    # Read again: the sender's copy may hold expressions (version + 1) or older values.
    fresh = ServiceRequest.objects.get(pk=request_id)
    return {"service_request": payloads.service_request(fresh), **extra}


def on_created(sender: Any, request: ServiceRequest, **kwargs: Any) -> None:
    services.event_publish(
        Event.CREATED,
        key=f"{Event.CREATED}:{request.pk}",
        data=lambda: _request_data(request.pk),
        occurred_at=request.created_at,
    )


def on_transitioned(
    sender: Any,
    request: ServiceRequest,
    action: str,
    from_status: str,
    to_status: str,
    **kwargs: Any,
) -> None:
    def key() -> str:
        # The history line the action has just written makes the fact unique.
        marker = (
            ServiceRequestEvent.objects.filter(request_id=request.pk)
            .order_by("-id")
            .values_list("pk", flat=True)
            .first()
        )
        return f"{Event.STATUS_CHANGED}:{request.pk}:{marker}"

    services.event_publish(
        Event.STATUS_CHANGED,
        key=key,
        data=lambda: _request_data(
            request.pk, action=action, from_status=from_status, to_status=to_status
        ),
    )


def on_commented(sender: Any, request: ServiceRequest, comment: Any, **kwargs: Any) -> None:
    if comment.is_internal:
        return
    author = comment.author

    def data() -> dict[str, Any]:
        return _request_data(
            request.pk,
            comment={
                "id": comment.pk,
                "body": comment.body,
                # No author: a customer without an account, who replied by email.
                "from_customer": author is None or author.role == author.Role.CUSTOMER,
                "created_at": comment.created_at.isoformat(),
            },
        )

    services.event_publish(
        Event.COMMENTED,
        key=f"{Event.COMMENTED}:{comment.pk}",
        data=data,
        occurred_at=comment.created_at,
    )


def on_sla_breached(
    sender: Any, request: ServiceRequest, target: str, due_at: datetime.datetime, **kwargs: Any
) -> None:
    services.event_publish(
        Event.SLA_BREACHED,
        key=f"{Event.SLA_BREACHED}:{request.pk}:{target}:{due_at.isoformat()}",
        data=lambda: _request_data(
            request.pk, sla={"target": target, "due_at": due_at.isoformat()}
        ),
    )


def on_survey_answered(sender: Any, response: Any, **kwargs: Any) -> None:
    def data() -> dict[str, Any]:
        answers = [
            {
                "question": answer.question.code,
                "score": answer.score,
                "yes": answer.yes,
                "text": answer.text,
            }
            for answer in response.answers.select_related("question")
        ]
        return _request_data(
            response.request_id,
            survey={
                "response_id": response.pk,
                "source": response.source,
                "answered_at": response.answered_at.isoformat(),
                "answers": answers,
            },
        )

    services.event_publish(
        Event.SURVEY_ANSWERED,
        key=f"{Event.SURVEY_ANSWERED}:{response.pk}",
        data=data,
        occurred_at=response.answered_at,
    )


def connect() -> None:
    uid = "aftersales.webhooks"
    request_signals.request_created.connect(on_created, dispatch_uid=f"{uid}.created")
    request_signals.request_transitioned.connect(
        on_transitioned, dispatch_uid=f"{uid}.transitioned"
    )
    request_signals.request_commented.connect(on_commented, dispatch_uid=f"{uid}.commented")
    request_signals.sla_breached.connect(on_sla_breached, dispatch_uid=f"{uid}.sla_breached")
    survey_signals.survey_answered.connect(on_survey_answered, dispatch_uid=f"{uid}.survey")

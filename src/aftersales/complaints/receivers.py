"""Reactions of complaints to facts of other apps, in their transaction."""

from typing import Any

from aftersales.complaints import services


def follow_request(sender: Any, request: Any, action: str, by: Any = None, **kwargs: Any) -> None:
    """The request's approve/reject decide a complaint's submitted proposal, whichever
    button was used."""
    if request.kind == "complaint" and action in {"approve", "reject"}:
        services.decide_from_lifecycle(request, action, by)


def follow_task(sender: Any, task: Any, **kwargs: Any) -> None:
    services.follow_task(task)

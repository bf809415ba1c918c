"""Demo follow-ups and surveys: the agents' queue has something in every tab, and the
Satisfaction page has answers to show.

- `followups_demo_before_close` is called by the demo's history replay right before a request
  is closed: the agent's follow-up call is recorded then (reached, solved, scores), as the
  closing rule requires. Its scores come from the request's id, not the demo's shared random
  sequence, so the rest of the demo is what it was.
- `followups_demo_seed` (after the requests exist): on open follow-ups, a call that did not
  reach the customer, survey links by email (some answered, one with low scores, which opens
  a task for the supervisor) and by text message, one given up; then the periodic sweep runs
  as the worker would (follow-ups with no answer for a week end, requests whose follow-up
  ended close).
"""

import random

from aftersales.accounts.models import User
from aftersales.followups import services
from aftersales.followups.models import FollowUp, Status
from aftersales.service_requests.models import ServiceRequest
from aftersales.surveys import services as surveys

SUGGESTIONS = [
    "",
    "",
    "",
    "希望上门时间能更准时一些。",
    "师傅很专业，谢谢！",
    "电话等待时间有点长。",
]


def _agent() -> User | None:
    return User.objects.filter(role=User.Role.AGENT, is_active=True).order_by("username").first()


def followups_demo_before_close(request: ServiceRequest, *, agent: User) -> None:
    """Record the open follow-up of `request` as a call that reached a satisfied customer."""
    followup = FollowUp.objects.filter(request=request, status=Status.PLANNED).first()
    if followup is None:
        return
    rng = random.Random(request.pk)  # noqa: S311 - demo data, not secrets
    data = {
        "reached": True,
        "solved": True,
        "score_solution": rng.choice([3, 4, 4, 5, 5, 5]),
        "score_attitude": rng.choice([4, 5, 5, 5]),
        "score_speed": rng.choice([3, 3, 4, 4, 5, 5]),
        "suggestions": rng.choice(SUGGESTIONS),
    }
    services.followup_record(followup, by=agent, data=data)


def _answer(followup: FollowUp, values: dict[str, str]) -> None:
    followup.refresh_from_db()
    if followup.invitation is not None:
        surveys.survey_answer(followup.invitation, values=values)


def followups_demo_seed() -> dict[str, int]:
    """Work a few open follow-ups in each way; returns the sweep's counts."""
    agent = _agent()
    if agent is None:
        return {}
    open_ = list(
        FollowUp.objects.filter(status=Status.PLANNED)
        .select_related("request__customer")
        .order_by("-due_at", "id")
    )
    with_email = [f for f in open_ if f.request.contact_email or f.request.customer.email]
    by_phone = [f for f in open_ if f not in with_email[:4]]
    for index, followup in enumerate(with_email[:4]):
        followup = services.followup_send_survey(followup, by=agent, channel="email")
        if index == 0:
            _answer(
                followup,
                {
                    "solved": "yes",
                    "solution": "5",
                    "attitude": "5",
                    "speed": "4",
                    "suggestions": "回复很及时，满意。",
                },
            )
        elif index == 1:
            _answer(
                followup,
                {
                    "solved": "yes",
                    "solution": "2",
                    "attitude": "3",
                    "speed": "2",
                    "suggestions": "等了三天才有人上门，希望改进。",
                },
            )
    if by_phone:
        services.followup_record(by_phone[0], by=agent, data={"reached": False, "note": "无人接听"})
    if len(by_phone) > 1:
        services.followup_send_survey(by_phone[1], by=agent, channel="sms")
    if len(by_phone) > 2:
        services.followup_give_up(by_phone[2], by=agent, reason="电话为空号，邮箱未留")
    return services.followups_sweep()

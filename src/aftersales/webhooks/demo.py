"""Demo webhook: a dealer system's endpoint on this machine, left inactive so the demo sends
nothing; an administrator sees how a subscription looks, and can point it at a receiver of
their own and send a test.

Called by `core.demo.demo_seed` once the staff exist.
"""

from aftersales.accounts.models import User
from aftersales.webhooks import services
from aftersales.webhooks.models import SUBSCRIBABLE_EVENTS, WebhookSubscription

NAME = "经销商系统（示例）"


def webhooks_demo_seed() -> int:
    """Returns how many subscriptions were made (0 or 1)."""
    admin = User.objects.filter(role=User.Role.ADMIN, is_active=True).order_by("username").first()
    if admin is None or WebhookSubscription.objects.filter(name=NAME).exists():
        return 0
    services.subscription_create(
        by=admin,
        data={
            "name": NAME,
            "url": "http://127.0.0.1:8090/aftersales/events",
            "events": [str(e) for e in SUBSCRIBABLE_EVENTS],
            "allow_private": True,
            "is_active": False,
        },
    )
    return 1

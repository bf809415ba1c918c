from aftersales.webhooks.models import SUBSCRIBABLE_EVENTS, WebhookSubscription


def make_subscription(url: str, *, events=None, allow_private: bool = True, **extra):  # type: ignore[no-untyped-def]
    """Written directly: the tests' endpoints are on loopback, which the service checks."""
    return WebhookSubscription.objects.create(
        name=extra.pop("name", "经销商系统"),
        url=url,
        events=[str(e) for e in (events or SUBSCRIBABLE_EVENTS)],
        allow_private=allow_private,
        **extra,
    )

"""Webhooks: subscriptions, the events they receive, and their delivery.

- subscription_create / subscription_update / subscription_delete: an administrator's
  endpoint, checked (scheme, address after resolution) when saved
- event_publish: write one delivery per interested subscription in the caller's
  transaction (the outbox); each is sent after commit
- delivery_deliver: send one delivery: claim it, sign and POST it, record the outcome
- deliveries_flush: send every delivery that is due (new, to retry, or left by a stopped
  worker)
- delivery_retry: send a failed delivery again (an administrator's decision)
- subscription_ping: a test event for one subscription
- idempotency_cleanup: forget the remembered API answers older than their lifetime
"""

import datetime
import json
import logging
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.accounts.models import User
from aftersales.core.errors import DomainError, NotAllowed
from aftersales.webhooks import access, net, signing
from aftersales.webhooks.models import (
    SUBSCRIBABLE_EVENTS,
    Event,
    IdempotencyRecord,
    WebhookDelivery,
    WebhookSubscription,
)

log = logging.getLogger(__name__)
S = WebhookDelivery.Status

# A worker holds a claimed delivery this long; one that stops mid-send leaves it due again.
CLAIM_SECONDS = 120
FIRST_RETRY = datetime.timedelta(minutes=1)
LONGEST_WAIT = datetime.timedelta(hours=2)
# Answers that say the same request will be refused again; anything else may pass later.
_PERMANENT_CODES = {400, 401, 403, 404, 405, 410, 413, 415, 422}
_FIELDS = {"name", "url", "events", "is_active", "allow_private"}


def _url_error(message: str) -> DomainError:
    return DomainError(message, fields={"url": [message]})


def subscription_check(subscription: WebhookSubscription) -> None:
    """Raise DomainError naming the field unless the subscription may be saved."""
    if not subscription.name.strip():
        message = _("Give the webhook a name.")
        raise DomainError(message, fields={"name": [message]})
    try:
        URLValidator(schemes=list(net.ALLOWED_SCHEMES))(subscription.url)
    except ValidationError:
        raise _url_error(_("Enter an http or https URL.")) from None
    try:
        net.check_url(subscription.url, allow_private=subscription.allow_private)
    except net.Blocked as exc:
        raise _url_error(exc.message) from None
    events = subscription.events
    known = {str(e) for e in SUBSCRIBABLE_EVENTS}
    if (
        not isinstance(events, list)
        or not events
        or not all(isinstance(e, str) and e in known for e in events)
    ):
        message = _("Choose one or more of: %(events)s.") % {"events": ", ".join(sorted(known))}
        raise DomainError(message, fields={"events": [message]})
    subscription.events = sorted(set(events))


def _require_admin(by: User) -> None:
    if not access.can_manage(by):
        raise NotAllowed(_("Only administrators manage webhooks."))


@transaction.atomic
def subscription_create(*, by: User, data: dict[str, Any]) -> WebhookSubscription:
    _require_admin(by)
    unknown = set(data) - _FIELDS
    if unknown:
        raise DomainError(
            _("These fields cannot be set here."),
            fields={name: [_("This field cannot be set here.")] for name in sorted(unknown)},
        )
    subscription = WebhookSubscription(created_by=by, **data)
    subscription_check(subscription)
    subscription.save()
    return subscription


@transaction.atomic
def subscription_update(
    subscription: WebhookSubscription, *, by: User, data: dict[str, Any]
) -> WebhookSubscription:
    _require_admin(by)
    locked = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
    for field, value in data.items():
        if field not in _FIELDS:
            raise DomainError(
                _("These fields cannot be set here."),
                fields={field: [_("This field cannot be set here.")]},
            )
        setattr(locked, field, value)
    subscription_check(locked)
    locked.save()
    return locked


@transaction.atomic
def subscription_delete(subscription: WebhookSubscription, *, by: User) -> None:
    _require_admin(by)
    subscription.delete()


def _envelope(event: str, data: dict[str, Any], occurred_at: datetime.datetime) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "event": event,
        "occurred_at": occurred_at.isoformat(),
        "data": data,
    }


def event_publish(
    event: str,
    *,
    key: str | Callable[[], str],
    data: Callable[[], dict[str, Any]],
    occurred_at: datetime.datetime | None = None,
) -> list[WebhookDelivery]:
    """Write the event for every active subscription that asked for it, in the caller's
    transaction; each delivery is sent once that commits. A key already written for a
    subscription is skipped (the fact was published before). `key` and `data` may be
    callables, called only when someone subscribed: without subscriptions an event costs
    one query."""
    subscriptions = [
        s for s in WebhookSubscription.objects.filter(is_active=True) if event in s.events
    ]
    if not subscriptions:
        return []
    key = key() if callable(key) else key
    payload = _envelope(event, data(), occurred_at or timezone.now())
    written = []
    for subscription in subscriptions:
        try:
            with transaction.atomic():
                written.append(
                    WebhookDelivery.objects.create(
                        subscription=subscription,
                        event=event,
                        event_key=key[:200],
                        payload=payload,
                        next_attempt_at=timezone.now(),
                    )
                )
        except IntegrityError:
            continue
    # Imported here: the task module imports this one.
    from aftersales.webhooks import tasks

    for delivery in written:
        transaction.on_commit(lambda pk=delivery.pk: tasks.delivery_deliver.delay(pk))
    return written


def _due(now: datetime.datetime) -> Q:
    return Q(status=S.PENDING, next_attempt_at__lte=now) | Q(
        status=S.SENDING, claimed_until__lt=now
    )


def _retry_delay(attempts: int) -> datetime.timedelta:
    return min(FIRST_RETRY * 2 ** (attempts - 1), LONGEST_WAIT)


def _request_body(delivery: WebhookDelivery) -> bytes:
    return json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":")).encode()


def _headers(delivery: WebhookDelivery, body: bytes) -> dict[str, str]:
    return {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "Aftersales-Webhooks/1",
        "X-Aftersales-Event": delivery.event,
        "X-Aftersales-Delivery": str(delivery.delivery_id),
        "X-Aftersales-Signature": signing.signature(delivery.subscription.secret, body),
    }


def delivery_deliver(delivery_id: int, *, now: datetime.datetime | None = None) -> str | None:
    """Send one delivery if it is due and no other worker holds it; returns its new status,
    None if there was nothing to do. A 2xx answer delivers it; a refused URL or an answer
    that will not change (400, 401, 403, 404, 410, …) fails it at once; anything else
    (5xx, 429, timeouts, refused connections) schedules the next attempt (1, 2, 4 …
    minutes, at most two hours apart) until AFTERSALES_WEBHOOK_MAX_ATTEMPTS."""
    now = now or timezone.now()
    max_attempts = settings.WEBHOOK_MAX_ATTEMPTS
    claimed = (
        WebhookDelivery.objects.filter(_due(now), pk=delivery_id)
        .exclude(attempts__gte=max_attempts)
        .update(
            status=S.SENDING,
            attempts=F("attempts") + 1,
            claimed_until=now + datetime.timedelta(seconds=CLAIM_SECONDS),
        )
    )
    if not claimed:
        return None
    delivery = WebhookDelivery.objects.select_related("subscription").get(pk=delivery_id)
    subscription = delivery.subscription
    body = _request_body(delivery)
    code: int | None = None
    excerpt = ""
    if not subscription.is_active and delivery.event != Event.PING:
        WebhookDelivery.objects.filter(pk=delivery_id, status=S.SENDING).update(
            status=S.FAILED, claimed_until=None, last_error=_("The webhook is not active.")
        )
        return S.FAILED
    try:
        answer = net.post(
            subscription.url,
            body=body,
            headers=_headers(delivery, body),
            allow_private=subscription.allow_private,
        )
        code, excerpt = answer.status, answer.excerpt
        error = "" if 200 <= code < 300 else _("The endpoint answered %(code)s.") % {"code": code}
        permanent = code in _PERMANENT_CODES
    except net.Blocked as exc:
        error, permanent = exc.message, True
    # Whatever goes wrong must be recorded on the delivery, where administrators see it,
    # and retried: a failure that only reached a worker's log would be a lost event.
    except Exception as exc:  # noqa: BLE001
        error, permanent = f"{type(exc).__name__}: {exc}", False
    if not error:
        WebhookDelivery.objects.filter(pk=delivery_id, status=S.SENDING).update(
            status=S.DELIVERED,
            delivered_at=timezone.now(),
            claimed_until=None,
            last_status_code=code,
            last_error="",
            response_excerpt=excerpt,
        )
        return S.DELIVERED
    final = permanent or delivery.attempts >= max_attempts
    status = S.FAILED if final else S.PENDING
    WebhookDelivery.objects.filter(pk=delivery_id, status=S.SENDING).update(
        status=status,
        claimed_until=None,
        next_attempt_at=timezone.now() + _retry_delay(delivery.attempts),
        last_status_code=code,
        last_error=error[:2000],
        response_excerpt=excerpt,
    )
    log.warning(
        "Webhook delivery %s attempt %s failed (%s): %s",
        delivery_id,
        delivery.attempts,
        status,
        error[:200],
    )
    return status


def deliveries_flush(*, now: datetime.datetime | None = None, limit: int = 200) -> int:
    """Send what is due, oldest first; returns how many were delivered. Deliveries whose
    worker stopped after the last attempt are marked failed."""
    now = now or timezone.now()
    WebhookDelivery.objects.filter(
        status=S.SENDING, claimed_until__lt=now, attempts__gte=settings.WEBHOOK_MAX_ATTEMPTS
    ).update(
        status=S.FAILED,
        claimed_until=None,
        last_error="The worker sending this delivery stopped on its last attempt.",
    )
    due_ids = list(
        WebhookDelivery.objects.filter(_due(now))
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(delivery_deliver(pk, now=now) == S.DELIVERED for pk in due_ids)


@transaction.atomic
def delivery_retry(delivery: WebhookDelivery, *, by: User | None) -> bool:
    """Give a failed delivery a new round of attempts, sent after commit; `by` None is an
    action of the Django admin, which checks its own permissions."""
    if by is not None:
        _require_admin(by)
    changed = WebhookDelivery.objects.filter(pk=delivery.pk, status=S.FAILED).update(
        status=S.PENDING, attempts=0, next_attempt_at=timezone.now(), last_error=""
    )
    if changed:
        from aftersales.webhooks import tasks

        transaction.on_commit(lambda: tasks.delivery_deliver.delay(delivery.pk))
    return bool(changed)


@transaction.atomic
def subscription_ping(subscription: WebhookSubscription, *, by: User) -> WebhookDelivery:
    """Write a test event for this subscription (active or not); the caller sends it."""
    _require_admin(by)
    now = timezone.now()
    data = {"webhook": subscription.name, "sent_by": by.username}
    return WebhookDelivery.objects.create(
        subscription=subscription,
        event=Event.PING,
        event_key=f"ping:{uuid.uuid4()}",
        payload=_envelope(Event.PING, data, now),
        next_attempt_at=now,
    )


def idempotency_cleanup(*, now: datetime.datetime | None = None) -> int:
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS)
    deleted, _detail = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted

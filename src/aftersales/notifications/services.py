"""In-app notifications.

- notify: a message for a person, once per key
- notifications_mark_read: mark one person's messages read
"""

from django.db import IntegrityError, transaction
from django.utils import timezone

from aftersales.accounts.models import User
from aftersales.notifications.models import Notification


def notify(
    *, recipient: User, key: str, title: str, body: str = "", url: str = ""
) -> Notification | None:
    """Write the message in the caller's transaction; None if this key already reached them."""
    try:
        with transaction.atomic():
            return Notification.objects.create(
                recipient=recipient, key=key, title=title[:200], body=body, url=url
            )
    except IntegrityError:
        return None


def notifications_mark_read(*, recipient: User, ids: list[int] | None = None) -> int:
    unread = Notification.objects.filter(recipient=recipient, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())

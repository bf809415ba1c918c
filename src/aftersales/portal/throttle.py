"""Per-client limits on the public pages, kept in the shared Django cache.

Fixed windows: simple, and good enough against scripted guessing and form spam; a burst at
a window's edge can reach twice the limit, which the limits are chosen to tolerate.
"""

import ipaddress
import time

from django.core.cache import cache
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The address that connected to us. X-Forwarded-For is never read: anyone can send it.

    An IPv6 host usually owns a whole /64, so the /64 counts as one client.
    """
    raw = request.META.get("REMOTE_ADDR", "") or "unknown"
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        return raw[:64]
    if address.version == 6:
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def _key(scope: str, client: str, window: int) -> str:
    return f"portal-throttle:{scope}:{client}:{int(time.time() // window)}"


def count(scope: str, client: str, *, window: int) -> int:
    return int(cache.get(_key(scope, client, window), 0))


def hit(scope: str, client: str, *, window: int) -> int:
    """Count one more event for `client` in the current window; returns the new count."""
    key = _key(scope, client, window)
    # add() is atomic and does nothing if the key exists; incr() is atomic on Redis and
    # memcached, and a lost update on the file cache only lets one extra request through.
    cache.add(key, 0, timeout=window + 60)
    try:
        return cache.incr(key)
    except ValueError:
        # The key expired between add() and incr().
        cache.set(key, 1, timeout=window + 60)
        return 1


def allow(scope: str, client: str, *, limit: int, window: int) -> bool:
    """Count this attempt and say whether it is within `limit` per `window` seconds."""
    return hit(scope, client, window=window) <= limit

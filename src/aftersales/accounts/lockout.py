"""Failed sign-ins per account: after too many, the account is refused for a while.

Counted in the shared cache with atomic increments, so parallel guesses from several
processes are all counted (RELIABILITY S10). The same generic message is given whether the
account exists, the password is wrong, or the account is locked.
"""

from django.core.cache import cache

MAX_FAILURES = 10
WINDOW_SECONDS = 15 * 60


def _key(username: str) -> str:
    return f"login-failures:{username.strip().casefold()[:150]}"


def login_locked(username: str) -> bool:
    return int(cache.get(_key(username), 0)) >= MAX_FAILURES


def login_failed(username: str) -> None:
    key = _key(username)
    if cache.add(key, 1, WINDOW_SECONDS):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, WINDOW_SECONDS)


def login_succeeded(username: str) -> None:
    cache.delete(_key(username))

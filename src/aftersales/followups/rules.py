"""When and how a follow-up is planned, from the settings (pure; checked at start-up).

AFTERSALES_FOLLOWUP_HOURS / _METHOD are the defaults; the *_BY_KIND settings override them
per request kind, written "installation=168,maintenance=48" and "consultation=email".
"""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

METHODS = ("phone", "email", "sms", "survey")


def _pairs(name: str, raw: str) -> dict[str, str]:
    from aftersales.service_requests.models import Kind

    result = {}
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        kind, sep, value = (s.strip() for s in item.partition("="))
        if not sep or kind not in Kind.values or not value:
            raise ImproperlyConfigured(
                f"{name}: write kind=value pairs such as installation=168, not {item!r}."
            )
        result[kind] = value
    return result


def hours_by_kind() -> dict[str, int]:
    pairs = _pairs("AFTERSALES_FOLLOWUP_HOURS_BY_KIND", settings.FOLLOWUP_HOURS_BY_KIND)
    try:
        hours = {kind: int(value) for kind, value in pairs.items()}
    except ValueError:
        raise ImproperlyConfigured(
            "AFTERSALES_FOLLOWUP_HOURS_BY_KIND: hours must be whole numbers."
        ) from None
    if any(h < 0 for h in hours.values()):
        raise ImproperlyConfigured("AFTERSALES_FOLLOWUP_HOURS_BY_KIND: hours cannot be negative.")
    return hours


def methods_by_kind() -> dict[str, str]:
    methods = _pairs("AFTERSALES_FOLLOWUP_METHOD_BY_KIND", settings.FOLLOWUP_METHOD_BY_KIND)
    for method in [settings.FOLLOWUP_METHOD, *methods.values()]:
        if method not in METHODS:
            raise ImproperlyConfigured(
                f"Follow-up method {method!r}: use one of {', '.join(METHODS)}."
            )
    return methods


def check() -> None:
    """Refuse to start with settings that cannot be read."""
    hours_by_kind()
    methods_by_kind()


def delay_hours(kind: str) -> int:
    return hours_by_kind().get(kind, settings.FOLLOWUP_HOURS)


def method_for(kind: str) -> str:
    return methods_by_kind().get(kind, settings.FOLLOWUP_METHOD)

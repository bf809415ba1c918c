import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation


class UserPreferencesMiddleware:
    """Activates the signed-in user's language and time zone (default: the service time zone)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        tz_name = settings.SERVICE_TIME_ZONE
        if user is not None and user.is_authenticated:
            if user.language and not request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME):
                translation.activate(user.language)
                request.LANGUAGE_CODE = translation.get_language()
            tz_name = user.time_zone or tz_name
        try:
            timezone.activate(zoneinfo.ZoneInfo(tz_name))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            timezone.activate(zoneinfo.ZoneInfo(settings.SERVICE_TIME_ZONE))
        return self.get_response(request)

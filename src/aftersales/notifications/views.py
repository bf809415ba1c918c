from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from aftersales.notifications import services
from aftersales.notifications.models import Notification


def notification_list(request: HttpRequest) -> HttpResponse:
    items = Notification.objects.filter(recipient=request.user)[:100]
    return render(
        request, "notifications/notification_list.html", {"items": items, "is_staff": True}
    )


@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    services.notifications_mark_read(recipient=request.user)
    return redirect("notifications:list")

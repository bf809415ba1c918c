from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from aftersales.mailin import selectors


@login_required
@require_GET
def message_raw(request: HttpRequest, message_id: int) -> HttpResponse:
    """The original message as an .eml download, for those who may read the request's mail;
    404 for everyone else (no hint that it exists)."""
    message = selectors.message_for_user(request.user, message_id)
    if message is None:
        raise Http404
    response = HttpResponse(bytes(message.raw), content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="message-{message.pk}.eml"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response

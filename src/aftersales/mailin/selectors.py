from aftersales.accounts.models import User
from aftersales.mailin import access
from aftersales.mailin.models import InboundMessage
from aftersales.service_requests.models import ServiceRequest


def messages_for_request(user: User, request: ServiceRequest) -> list[InboundMessage]:
    """The mail that opened, answered or was held about `request`, if the user may read it."""
    if not access.can_read_mail(user, request):
        return []
    return list(
        InboundMessage.objects.filter(request=request)
        .defer("raw", "html_sanitised", "text_body")
        .order_by("received_at", "id")
    )


def message_for_user(user: User, message_id: int) -> InboundMessage | None:
    message = InboundMessage.objects.select_related("request").filter(pk=message_id).first()
    if message is None or message.request is None:
        return None
    return message if access.can_read_mail(user, message.request) else None

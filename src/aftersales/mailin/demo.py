"""Demo email intake: a mailbox as an administrator would set it up (inactive: the demo has
no IMAP server), and a few messages through the real services — a customer's reply on their
open request, a stranger's reply and a newsletter held for review, and a poison message in
quarantine — so the admin's lists have something to show. No request is opened, so the
demo's figures stay as they are.

Called by `core.demo.demo_seed` after the requests exist.
"""

from aftersales.mailin import services
from aftersales.mailin.models import InboundMessage, Mailbox
from aftersales.service_requests.models import ServiceRequest


def _mail(sender: str, subject: str, body: str, message_id: str, extra: str = "") -> bytes:
    from email.header import Header

    return (
        f"From: {sender}\r\nTo: service@maker.example\r\n"
        f"Subject: {Header(subject, 'utf-8').encode()}\r\n"
        f"Date: Wed, 02 Dec 2026 09:30:00 +0800\r\nMessage-ID: {message_id}\r\n{extra}"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: 8bit\r\n\r\n"
    ).encode() + body.encode()


def mailin_demo_seed() -> int:
    """Returns how many messages were stored (0 when the demo has them already, or has no
    open request of a customer with an email address to write about)."""
    if InboundMessage.objects.exists():
        return 0
    request = (
        ServiceRequest.objects.filter(status__in=ServiceRequest.OPEN_STATUSES)
        .exclude(customer__email="")
        .select_related("customer")
        .order_by("number")
        .first()
    )
    if request is None:
        return 0
    mailbox, _created = Mailbox.objects.get_or_create(
        name="service@maker.example",
        defaults={
            "host": "imap.maker.example",
            "port": 993,
            "security": Mailbox.Security.SSL,
            "username": "service@maker.example",
            "password_env": "AFTERSALES_MAILBOX_SERVICE_PASSWORD",
            "active": False,
        },
    )
    customer = request.customer
    messages = [
        _mail(
            f"{customer.name} <{customer.email}>",
            f"回复: [{request.number}] {request.title}",
            "补充一下：机器在厨房，周末全天有人。\n\n> 我们已收到您的请求",
            "<demo-mail-1@example.com>",
        ),
        _mail(
            "客服中心 <refund@evil.example>",
            f"答复: {request.number}",
            "请把退款打到以下账户。",
            "<demo-mail-2@evil.example>",
        ),
        _mail(
            "Newsletter <news@shop.example>",
            "本周优惠",
            "全场八折。",
            "<demo-mail-3@shop.example>",
            extra="Precedence: bulk\r\nList-Id: <offers.shop.example>\r\n",
        ),
        _mail("x@example.com", "nested", "", "<demo-mail-4@example.com>").replace(
            b"Content-Type: text/plain; charset=utf-8\r\n",
            b"".join(
                f'Content-Type: multipart/mixed; boundary="b{i}"\r\n\r\n--b{i}\r\n'.encode()
                for i in range(300)
            ),
        ),
    ]
    stored = 0
    for uid, raw in enumerate(messages, start=1):
        message, created = services.message_store(raw=raw, mailbox=mailbox, uidvalidity=1, uid=uid)
        stored += created
        services.message_process(message.pk)
    return stored

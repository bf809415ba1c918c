"""Telling the customer: one function for every message the service sends them.

- customer_language: the customer's language if we speak it, else the service's
- channels_for: where a message goes (the customer's choice, else what we have)
- notice_send: render an event's message and write it to the outbox, once per key
- template_save / template_reset: an administrator's text for a message
- optional_messages_stop: the customer declines optional messages
"""

import datetime
import zoneinfo
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from aftersales.accounts.models import User
from aftersales.core.errors import DomainError, NotAllowed
from aftersales.customers.models import Customer
from aftersales.notices import rendering, tokens
from aftersales.notices.events import EVENTS
from aftersales.notices.models import MessageTemplate
from aftersales.notifications import services as notifications
from aftersales.notifications.models import OutboxMessage
from aftersales.service_requests.models import ServiceRequest

Channel = OutboxMessage.Channel
NoticeChannel = Customer.NoticeChannel


def customer_language(customer: Customer) -> str:
    known = {code for code, _name in settings.LANGUAGES}
    language = (customer.language or "").lower().replace("_", "-")
    return language if language in known else settings.LANGUAGE_CODE


def service_time(moment: datetime.datetime | None) -> str:
    """A time as the customer reads it: in the service's time zone, to the minute."""
    if moment is None:
        return ""
    zone = zoneinfo.ZoneInfo(settings.SERVICE_TIME_ZONE)
    return f"{timezone.localtime(moment, zone):%Y-%m-%d %H:%M}"


def track_link(request: ServiceRequest) -> str:
    return settings.SITE_URL + reverse("portal:track") + f"?number={request.number}"


def opt_out_link(customer: Customer) -> str:
    return settings.SITE_URL + reverse("notices:optional", args=[tokens.opt_out_token(customer.pk)])


def channels_for(customer: Customer, *, email: str, phone: str) -> list[tuple[str, str]]:
    """(channel, address) pairs: the customer's choice where we have the address, else the
    other channel, so an essential message still reaches them."""
    by_channel = {Channel.EMAIL: email, Channel.SMS: phone}
    if customer.notice_channel == NoticeChannel.BOTH:
        wanted = [Channel.EMAIL, Channel.SMS]
    elif customer.notice_channel == NoticeChannel.SMS:
        wanted = [Channel.SMS]
    else:
        wanted = [Channel.EMAIL]
    chosen = [(channel, by_channel[channel]) for channel in wanted if by_channel[channel]]
    if chosen:
        return chosen
    fallback = [c for c in (Channel.EMAIL, Channel.SMS) if c not in wanted and by_channel[c]]
    return [(fallback[0], by_channel[fallback[0]])] if fallback else []


def declines(customer: Customer, event: str) -> bool:
    """The customer said no to this kind of message."""
    return not EVENTS[event].essential and not customer.notices_optional


def notice_send(
    event: str,
    *,
    request: ServiceRequest,
    key: str,
    values: dict[str, Any] | None = None,
    channels: list[str] | None = None,
    email: str | None = None,
    phone: str | None = None,
    in_reply_to: str = "",
) -> list[OutboxMessage]:
    """Write `event`'s message about `request` to the outbox in the caller's transaction,
    in the customer's language, by their channel. Once per `key` and channel, however often
    it is called. Nothing when the customer declines optional messages or we have no
    address; `channels` narrows the channels (staff chose one), `email`/`phone` replace the
    request's contact (the sender of a mail)."""
    spec = EVENTS[event]
    customer = request.customer
    if declines(customer, event):
        return []
    email = request.contact_email or customer.email if email is None else email
    phone = request.contact_phone or customer.phone if phone is None else phone
    targets = channels_for(customer, email=email, phone=phone)
    if channels is not None:
        explicit = {Channel.EMAIL: email, Channel.SMS: phone}
        targets = [(c, explicit[c]) for c in channels if explicit.get(c)]
    language = customer_language(customer)
    # Labels passed as values (a decision, a method) are read in the customer's language.
    with translation.override(language):
        texts = {
            "name": request.contact_name or customer.name,
            "number": request.number,
            "title": request.title,
            "track_link": track_link(request),
            **({} if spec.essential else {"opt_out_link": opt_out_link(customer)}),
            **{name: "" if value is None else str(value) for name, value in (values or {}).items()},
        }
    sent = []
    for channel, address in targets:
        text = rendering.render(event, channel, language, texts)
        if channel == Channel.EMAIL:
            message = notifications.email_enqueue(
                key=key,
                to_address=address,
                subject=text.subject,
                body=text.body,
                reference=request.number,
                in_reply_to=in_reply_to,
                event=event,
            )
        else:
            message = notifications.sms_enqueue(
                key=f"{key}:sms",
                to_phone=address,
                text=text.body,
                reference=request.number,
                event=event,
            )
        if message is not None:
            sent.append(message)
    return sent


def may_edit_texts(user: User) -> bool:
    return user.is_active and (user.role == User.Role.ADMIN or user.is_superuser)


def template_for(event: str, channel: str, language: str) -> MessageTemplate | None:
    return MessageTemplate.objects.filter(event=event, channel=channel, language=language).first()


@transaction.atomic
def template_save(
    *, by: User, event: str, channel: str, language: str, subject: str, body: str
) -> MessageTemplate:
    """Check and store an administrator's text; DomainError names the field at fault."""
    if not may_edit_texts(by):
        raise NotAllowed(_("Only administrators change message texts."))
    if event not in EVENTS or channel not in Channel.values:
        raise DomainError(_("There is no such message."))
    subject = " ".join(subject.split()) if channel == Channel.EMAIL else ""
    body = body.replace("\r\n", "\n").strip()
    problems: dict[str, list[str]] = {}
    if channel == Channel.EMAIL and not subject:
        problems["subject"] = [_("An email needs a subject.")]
    if not body:
        problems["body"] = [_("Write the text of the message.")]
    for field, source in (("subject", subject), ("body", body)):
        if field in problems or not source:
            continue
        try:
            rendering.check(event, field, source)
        except rendering.TemplateProblem as problem:
            problems[field] = [problem.message]
    if problems:
        raise DomainError(_("The message text cannot be used."), fields=problems)
    template, _created = MessageTemplate.objects.update_or_create(
        event=event,
        channel=channel,
        language=language,
        defaults={"subject": subject, "body": body, "updated_by": by},
    )
    return template


def template_reset(*, by: User, event: str, channel: str, language: str) -> bool:
    """Back to the product's text; True if there was an administrator's text."""
    if not may_edit_texts(by):
        raise NotAllowed(_("Only administrators change message texts."))
    deleted, _rows = MessageTemplate.objects.filter(
        event=event, channel=channel, language=language
    ).delete()
    return bool(deleted)


def preview(event: str, channel: str, language: str, *, subject: str, body: str) -> dict[str, Any]:
    """The text with the event's sample values, or the problems that stop it."""
    template = MessageTemplate(
        event=event, channel=channel, language=language, subject=subject, body=body
    )
    problems: dict[str, str] = {}
    for field, source in (("subject", subject if channel == Channel.EMAIL else ""), ("body", body)):
        try:
            rendering.check(event, field, source)
        except rendering.TemplateProblem as problem:
            problems[field] = problem.message
    if problems:
        return {"problems": problems}
    with translation.override(language):
        rendered = rendering.custom_render(template, EVENTS[event].sample_values())
    return {"subject": rendered.subject, "body": rendered.body}


def optional_messages_stop(customer_id: int) -> Customer | None:
    customer = Customer.objects.filter(pk=customer_id).first()
    if customer is not None and customer.notices_optional:
        customer.notices_optional = False
        customer.save(update_fields=["notices_optional", "updated_at"])
    return customer

"""Processing stored messages: requests, replies, acknowledgements, duplicates, bounces,
held and quarantined mail (RELIABILITY E02, E03, E10, E11, E15–E19)."""

import pytest
from django.core import mail

from aftersales.core.errors import DomainError, NotAllowed
from aftersales.customers.models import Customer
from aftersales.mailin import services
from aftersales.mailin.models import InboundMessage, Mailbox
from aftersales.mailin.tests import corpus
from aftersales.notifications import threading as outbound
from aftersales.notifications.models import Notification, OutboxMessage
from aftersales.service_requests.models import Attachment, Comment, ServiceRequest

S = InboundMessage.Status


def receive(raw: bytes, mailbox: Mailbox | None = None) -> InboundMessage:
    message, _created = services.message_store(raw=raw, mailbox=mailbox)
    return services.message_process(message.pk)


def acks() -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(key__startswith=services.ACK_KEY))


@pytest.fixture
def mailboxes(db):
    return [
        Mailbox.objects.create(name=name, host="127.0.0.1", username=name, password_env="X")
        for name in ("service", "parts")
    ]


def test_a_new_mail_opens_a_request_for_a_new_customer_and_acknowledges_once(db):
    message = receive(corpus.plain())
    assert message.status == S.PROCESSED and message.acknowledged
    request = message.request
    assert request.channel == ServiceRequest.Channel.EMAIL
    assert request.title == "空调不制冷"
    assert request.description == "您好，我家的空调不制冷了。"
    assert request.customer.name == "张三" and request.customer.email == "zhang@example.com"
    [ack] = acks()
    assert ack.to_address == "zhang@example.com"
    assert ack.reference == request.number and request.number in ack.subject
    assert ack.in_reply_to == "<m1@example.com>"
    assert outbound.number_from_message_id(ack.message_id) == request.number
    # Processing again changes nothing.
    assert services.message_process(message.pk).request_id == request.pk
    assert ServiceRequest.objects.count() == 1 and len(acks()) == 1


def test_an_existing_customer_is_found_by_address(customer_a):
    message = receive(corpus.plain(sender="Someone Else <ZHANG@example.com>"))
    assert message.request.customer == customer_a
    assert Customer.objects.count() == 1


def test_the_same_bytes_twice_are_stored_once(db):
    first, created = services.message_store(raw=corpus.plain())
    again, created_again = services.message_store(raw=corpus.plain())
    assert created and not created_again and again.pk == first.pk


def test_one_mail_delivered_to_two_mailboxes_makes_one_request_and_one_ack(mailboxes):
    service, parts = mailboxes
    raw = corpus.plain()
    first = receive(b"Delivered-To: service@maker.example\r\n" + raw, service)
    second = receive(b"Delivered-To: parts@maker.example\r\n" + raw, parts)
    assert first.status == S.PROCESSED
    assert second.status == S.IGNORED and f"#{first.pk}" in second.reason
    assert second.request_id == first.request_id
    assert ServiceRequest.objects.count() == 1 and len(acks()) == 1


def test_a_reused_message_id_with_a_different_body_is_processed_and_flagged(db):
    first = receive(corpus.plain(body="第一封"))
    second = receive(corpus.plain(body="第二封，另一件事", sender="李四 <li@example.com>"))
    assert first.status == second.status == S.PROCESSED
    assert first.request_id != second.request_id
    assert any("Message-ID also used" in flag for flag in second.flags)


def test_without_message_id_it_is_still_processed_once(db):
    message = receive(corpus.plain(message_id=None))
    assert message.status == S.PROCESSED and message.message_id.endswith("@mailin.invalid>")
    assert not acks()[0].in_reply_to


@pytest.mark.parametrize(
    "extra",
    [
        {"Auto-Submitted": "auto-replied"},
        {"Precedence": "bulk"},
        {"X-Auto-Response-Suppress": "All"},
        {"List-Id": "<x.example>"},
        {"Return-Path": "<>"},
    ],
)
def test_automatic_mail_about_nothing_is_held_and_never_acknowledged(db, extra):
    message = receive(corpus.plain(extra=extra))
    assert message.status == S.HELD and "automatic" in message.reason
    assert not ServiceRequest.objects.exists() and not acks()


def test_an_auto_reply_to_our_ack_is_appended_without_a_new_ack(db):
    first = receive(corpus.plain())
    [ack] = acks()
    vacation = corpus.plain(
        subject="Out of office",
        body="I am away until Monday.",
        message_id="<vacation-1@example.com>",
        extra={"Auto-Submitted": "auto-replied", "In-Reply-To": ack.message_id},
    )
    message = receive(vacation)
    assert message.status == S.PROCESSED and message.request_id == first.request_id
    assert message.comment.body == "I am away until Monday."
    assert ServiceRequest.objects.count() == 1 and len(acks()) == 1


def test_at_most_one_acknowledgement_per_sender_per_window(db):
    receive(corpus.plain(message_id="<a1@example.com>", body="一"))
    second = receive(corpus.plain(message_id="<a2@example.com>", body="二", subject="另一个问题"))
    assert ServiceRequest.objects.count() == 2
    assert len(acks()) == 1 and not second.acknowledged
    assert any("no acknowledgement" in flag for flag in second.flags)


def test_a_signed_reply_is_threaded_and_posted_as_the_customer(customer_a):
    first = receive(corpus.plain())
    [ack] = acks()
    reply = corpus.plain(
        subject="回复: [" + first.request.number + "] 已收到",
        body="今天下午在家。\n\n在 2026年12月2日，客服 写道：\n> 我们已收到",
        message_id="<reply-1@example.com>",
        extra={"In-Reply-To": ack.message_id, "References": f"<m1@example.com> {ack.message_id}"},
    )
    message = receive(reply)
    assert message.status == S.PROCESSED and message.request_id == first.request_id
    comment = message.comment
    assert comment.body == "今天下午在家。"
    assert not comment.is_internal and comment.author is None
    assert comment.author_name == customer_a.name
    assert "> 我们已收到" in message.text_body
    assert ServiceRequest.objects.count() == 1 and len(acks()) == 1


def test_a_customer_with_an_account_replies_as_that_account(customer_user):
    first = receive(corpus.plain())
    message = receive(
        corpus.plain(
            subject=f"RE: {first.request.number}",
            body="补充：型号 KFR-35",
            message_id="<reply-2@example.com>",
        )
    )
    assert message.comment.author == customer_user


@pytest.mark.parametrize("prefix", ["回复:", "答复：", "RE:", "Re: 转发:", "Fwd:"])
def test_the_service_number_in_the_subject_threads_a_participant(db, prefix):
    first = receive(corpus.plain())
    number = first.request.number
    message = receive(
        corpus.plain(subject=f"{prefix} 关于 {number}", body="还有问题", message_id="<p@x>")
    )
    assert message.request_id == first.request_id and message.comment is not None


def test_a_forged_reply_from_a_non_participant_is_held_never_posted(db):
    first = receive(corpus.plain())
    number = first.request.number
    forged = corpus.plain(
        sender="张三 <attacker@evil.example>",
        subject=f"回复: {number}",
        body="请把退款打到这个账户",
        message_id="<forged@evil.example>",
    )
    message = receive(forged)
    assert message.status == S.HELD and "attacker@evil.example" in message.reason
    assert not Comment.objects.exists()
    assert ServiceRequest.objects.count() == 1 and len(acks()) == 1


def test_a_tampered_signed_id_is_not_trusted(db):
    first = receive(corpus.plain())
    number = first.request.number
    forged_id = outbound.make_message_id(number)[:-20] + "0000@localhost>"
    assert outbound.number_from_message_id(forged_id) is None
    message = receive(
        corpus.plain(
            sender="attacker@evil.example",
            subject="hello",
            message_id="<f2@evil.example>",
            extra={"In-Reply-To": forged_id},
        )
    )
    # Not threaded: a new request of the sender's own, never a comment on the victim's.
    assert message.status == S.PROCESSED and message.request_id != first.request_id
    assert not Comment.objects.exists()


def test_the_display_name_never_picks_the_customer(customer_a):
    message = receive(corpus.plain(sender="zhang@example.com <attacker@evil.example>"))
    assert message.request.customer != customer_a
    assert message.request.customer.email == "attacker@evil.example"
    assert "From: display name looks like an address" in message.flags


def test_reply_to_never_links_another_customer(customer_a, customer_b):
    message = receive(
        corpus.plain(sender="Li <li@example.com>", extra={"Reply-To": "zhang@example.com"})
    )
    assert message.request.customer == customer_b
    assert acks()[0].to_address == "li@example.com"
    assert "Reply-To differs from From: the sender is From" in message.flags


def test_a_bounce_marks_our_mail_failed_and_opens_nothing(db):
    first = receive(corpus.plain())
    [ack] = acks()
    message = receive(corpus.dsn(ack.message_id, recipient="zhang@example.com"))
    assert message.status == S.PROCESSED and message.bounced_message == ack
    assert message.request_id == first.request_id
    ack.refresh_from_db()
    assert ack.status == OutboxMessage.Status.FAILED and "550 5.1.1" in ack.last_error
    assert ServiceRequest.objects.count() == 1 and len(acks()) == 1
    assert first.request.events.filter(action="mail.bounced", is_internal=True).exists()


def test_a_plain_text_bounce_from_a_provider(db):
    receive(corpus.plain())
    [ack] = acks()
    message = receive(corpus.qq_bounce(ack.message_id))
    assert message.bounced_message == ack
    assert ServiceRequest.objects.count() == 1


def test_a_bounce_of_nothing_of_ours_is_held(db):
    message = receive(corpus.dsn("<unknown@elsewhere>"))
    assert message.status == S.HELD and not ServiceRequest.objects.exists()


@pytest.mark.parametrize("kind", ["no-closing-boundary", "truncated-base64", "bare-lf-nul"])
def test_malformed_mail_still_opens_a_request_with_its_defects_noted(db, kind):
    message = receive(corpus.malformed(kind))
    assert message.status == S.PROCESSED
    assert "\x00" not in message.request.description
    assert bytes(message.raw) == corpus.malformed(kind)


def test_chinese_mail_end_to_end(db):
    message = receive(corpus.gbk_labelled_gb2312())
    request = message.request
    assert request.title == "堃镕的热水器漏水"
    assert request.customer.name == "张喆"
    assert request.description == "张喆：热水器漏水，型号 RS-50。"


def test_attachments_follow_the_upload_rules(db):
    message = receive(corpus.with_attachments())
    stored = Attachment.objects.filter(request=message.request).order_by("id")
    assert [a.original_name for a in stored] == ["照片.png", "attachment-2"]
    assert all(a.content_type == "image/png" and not a.is_internal for a in stored)
    assert any("setup.exe" in flag for flag in message.flags)
    assert "<script" not in message.html_sanitised


def test_a_reply_with_a_photo_stores_it_on_the_comment(db):
    first = receive(corpus.plain())
    raw = corpus.raw_8bit().replace(b"<li@example.com>", b"<zhang@example.com>")
    raw = raw.replace(b"Subject: ", b"Subject: RE: " + first.request.number.encode() + b" ")
    message = receive(raw)
    assert message.comment is not None
    [photo] = message.comment.attachments.all()
    assert photo.original_name == "故障照片.png"


def test_poison_is_quarantined_admins_are_told_and_the_next_message_goes_on(db, admin_user):
    poison = receive(corpus.nested(5000))
    good = receive(corpus.plain())
    assert poison.status == S.QUARANTINED and poison.reason
    assert good.status == S.PROCESSED
    assert Notification.objects.filter(recipient=admin_user, key__contains="quarantined").exists()


def test_retry_after_raising_a_limit(db, admin_user, settings, agent):
    settings.MAILIN_MAX_PARTS = 10
    message = receive(corpus.many_parts(30))
    assert message.status == S.QUARANTINED
    with pytest.raises(NotAllowed):
        services.message_retry(message, by=agent)
    settings.MAILIN_MAX_PARTS = 200
    retried = services.message_retry(message, by=admin_user)
    assert retried.status == S.PROCESSED and retried.attempts == 2
    with pytest.raises(DomainError):
        services.message_retry(retried, by=admin_user)


def test_oversized_keeps_headers_and_is_quarantined(db, settings):
    settings.MAILIN_MAX_BYTES = 1024
    head = b"From: a@example.com\r\nSubject: big\r\nMessage-ID: <big@x>\r\n\r\n"
    message, created = services.message_store(raw=head, announced_size=30 * 1024 * 1024)
    assert created and message.status == S.QUARANTINED and "headers" in message.reason
    assert message.subject == "big" and message.size == 30 * 1024 * 1024
    assert services.message_process(message.pk).status == S.QUARANTINED


def test_outbound_mail_about_a_request_carries_thread_headers(db, smtp_sink):
    from aftersales.notifications import services as notifications

    message = notifications.email_enqueue(
        key="t1",
        to_address="zhang@example.com",
        subject="x",
        body="y",
        reference="SR-20261202-0001",
        in_reply_to="<m1@example.com>",
    )
    notifications.outbox_deliver(message.pk)
    [sent] = smtp_sink.received
    assert sent["Message-ID"].strip() == message.message_id
    assert sent["In-Reply-To"].strip() == "<m1@example.com>"
    assert sent["References"].split() == [
        outbound.thread_root("SR-20261202-0001"),
        "<m1@example.com>",
    ]
    assert outbound.number_from_message_id(message.message_id) == "SR-20261202-0001"
    plain_mail = notifications.email_enqueue(key="t2", to_address="a@b.c", subject="s", body="b")
    assert outbound.number_from_message_id(plain_mail.message_id) is None
    assert len(mail.outbox) == 0


def test_a_held_reply_is_posted_on_retry_once_the_sender_is_a_contact(db, admin_user):
    from aftersales.customers.models import Contact

    first = receive(corpus.plain())
    colleague = corpus.plain(
        sender="王工 <wang@example.com>",
        subject=f"RE: {first.request.number}",
        body="我是张三的同事，机器在二楼。",
        message_id="<colleague@example.com>",
    )
    held = receive(colleague)
    assert held.status == S.HELD
    Contact.objects.create(customer=first.request.customer, name="王工", email="wang@example.com")
    retried = services.message_retry(held, by=admin_user)
    assert retried.status == S.PROCESSED and retried.comment.body == "我是张三的同事，机器在二楼。"


def test_a_held_message_opens_a_request_of_the_senders_own(db, admin_user, agent):
    first = receive(corpus.plain())
    held = receive(
        corpus.plain(
            sender="Stranger <stranger@example.com>",
            subject=f"回复: {first.request.number}",
            body="我的热水器也坏了",
            message_id="<stranger@example.com>",
        )
    )
    with pytest.raises(NotAllowed):
        services.message_open_as_request(held, by=agent)
    opened = services.message_open_as_request(held, by=admin_user)
    assert opened.status == S.PROCESSED and opened.request_id != first.request_id
    assert opened.request.customer.email == "stranger@example.com"
    assert not first.request.comments.exists()
    assert sorted(a.to_address for a in acks()) == ["stranger@example.com", "zhang@example.com"]
    with pytest.raises(DomainError):
        services.message_open_as_request(opened, by=admin_user)


def test_the_assignee_is_told_of_a_reply(db, technician):
    first = receive(corpus.plain())
    ServiceRequest.objects.filter(pk=first.request_id).update(assignee=technician)
    reply = receive(
        corpus.plain(subject=f"RE: {first.request.number}", body="在家", message_id="<r@x>")
    )
    note = Notification.objects.get(recipient=technician, key=f"mailin:reply:{reply.comment_id}")
    assert first.request.number in note.title


def test_huge_address_headers_are_read_in_bounded_time(db):
    import time

    many = ", ".join(f"user{i}@example.com" for i in range(50_000))
    nested_comments = "(" * 20_000 + "x" + ")" * 20_000
    raw = corpus.plain(
        sender=f"{nested_comments} <zhang@example.com>", extra={"To": many, "Cc": many}
    )
    started = time.process_time()
    message = receive(raw)
    assert time.process_time() - started < 5.0
    assert message.status in {S.PROCESSED, S.HELD}


def test_forged_authentication_results_change_nothing(db):
    first = receive(corpus.plain())
    forged = receive(
        corpus.plain(
            sender="attacker@evil.example",
            subject=f"RE: {first.request.number}",
            message_id="<ar@evil.example>",
            extra={
                "Authentication-Results": "mx.maker.example; dmarc=pass header.from=example.com"
            },
        )
    )
    assert forged.status == S.HELD and not Comment.objects.exists()


def test_direction_overrides_and_control_characters_are_dropped_not_refused(db):
    message = receive(corpus.plain(subject="发票\u202egpj.exe", body="看附件\u202e\x07\u2066。"))
    assert message.status == S.PROCESSED
    assert message.request.title == "发票gpj.exe"
    assert message.request.description == "看附件。"


def test_two_different_piped_messages_are_both_stored(db):
    first, created_first = services.message_store(raw=corpus.plain(body="一"))
    second, created_second = services.message_store(raw=corpus.plain(body="二"))
    assert created_first and created_second and first.pk != second.pk

"""The outbox against a real SMTP server on loopback: sent once, retried on temporary
failures, kept as failed (with the server's answer) on permanent ones."""

import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from aftersales.notifications import services
from aftersales.notifications.models import OutboxMessage

S = OutboxMessage.Status


def enqueue(key="sla:1:resolution:breached:x", to="lead@example.com", subject="SR-1: 解决 missed"):
    return services.email_enqueue(
        key=key, to_address=to, subject=subject, body="客厅空调不制冷\nhttp://x/SR-1/"
    )


def test_written_then_sent_after_commit_once(db, smtp_sink, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        message = enqueue()
        assert enqueue() is None  # the same fact again: no second message
        assert smtp_sink.received == []  # nothing leaves before the commit
    message.refresh_from_db()
    assert message.status == S.SENT and message.attempts == 1 and message.sent_at
    [mail] = smtp_sink.received
    assert mail["Message-ID"] == message.message_id
    assert mail["Subject"].strip() == "SR-1: 解决 missed"
    assert mail["Auto-Submitted"] == "auto-generated"
    assert "客厅空调不制冷" in mail.get_content()
    assert services.outbox_deliver(message.pk) is None  # already sent: nothing happens
    assert len(smtp_sink.received) == 1


def test_nothing_is_sent_when_the_transaction_rolls_back(
    db, smtp_sink, django_capture_on_commit_callbacks
):
    def change_that_fails():
        with transaction.atomic():
            enqueue()
            raise RuntimeError("the change failed")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        change_that_fails()
    assert OutboxMessage.objects.count() == 0 and smtp_sink.received == []


def test_a_temporary_failure_is_retried_later_with_the_same_message_id(db, smtp_sink):
    message = enqueue()
    smtp_sink.data_reply = "451 4.3.0 Mailbox busy, try again later"
    assert services.outbox_deliver(message.pk) == S.PENDING
    message.refresh_from_db()
    assert message.attempts == 1 and "451" in message.last_error
    first_retry = message.next_attempt_at
    assert first_retry - timezone.now() > datetime.timedelta(seconds=50)

    smtp_sink.data_reply = None
    assert services.outbox_flush(now=first_retry - datetime.timedelta(seconds=5)) == 0
    assert services.outbox_flush(now=first_retry + datetime.timedelta(seconds=1)) == 1
    message.refresh_from_db()
    assert message.status == S.SENT and message.attempts == 2 and message.last_error == ""
    assert [m["Message-ID"] for m in smtp_sink.received] == [message.message_id]


def test_waits_between_attempts_double(db, smtp_down):
    message = enqueue()
    waits = []
    now = timezone.now()
    for _ in range(4):
        services.outbox_deliver(message.pk, now=now)
        message.refresh_from_db()
        waits.append(round((message.next_attempt_at - timezone.now()).total_seconds() / 60))
        now = message.next_attempt_at
    assert waits == [1, 2, 4, 8]


def test_a_permanent_refusal_fails_at_once_and_an_admin_can_send_it_again(
    db, smtp_sink, django_capture_on_commit_callbacks
):
    message = enqueue(to="nobody@example.com")
    smtp_sink.rcpt_reply = "550 5.1.1 No such user"
    assert services.outbox_deliver(message.pk) == S.FAILED
    message.refresh_from_db()
    assert message.status == S.FAILED and "550" in message.last_error
    assert services.outbox_flush(now=timezone.now() + datetime.timedelta(days=1)) == 0

    smtp_sink.rcpt_reply = None
    with django_capture_on_commit_callbacks(execute=True):
        assert services.outbox_retry(message) is True
    message.refresh_from_db()
    assert message.status == S.SENT and len(smtp_sink.to("nobody@example.com")) == 1
    assert services.outbox_retry(message) is False  # only failed messages


def test_a_server_that_is_down_is_retried_until_the_last_attempt(db, smtp_down):
    message = enqueue()
    now = timezone.now()
    statuses = []
    for _ in range(services.MAX_ATTEMPTS):
        statuses.append(services.outbox_deliver(message.pk, now=now))
        message.refresh_from_db()
        now = message.next_attempt_at
    assert statuses == [S.PENDING] * (services.MAX_ATTEMPTS - 1) + [S.FAILED]
    assert "ConnectionRefusedError" in message.last_error
    assert services.outbox_deliver(message.pk, now=now) is None


def test_a_message_left_by_a_stopped_worker_is_sent_after_its_claim_runs_out(db, smtp_sink):
    message = enqueue()
    now = timezone.now()
    # A worker claimed it, then died before recording anything.
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=S.SENDING, attempts=1, claimed_until=now + datetime.timedelta(minutes=5)
    )
    assert services.outbox_flush(now=now) == 0  # still held by that worker
    assert services.outbox_deliver(message.pk, now=now) is None
    assert services.outbox_flush(now=now + datetime.timedelta(minutes=6)) == 1
    [mail] = smtp_sink.received
    assert mail["Message-ID"] == message.message_id


def test_line_breaks_in_a_subject_cannot_add_headers(db, smtp_sink):
    message = enqueue(subject="SR-1 空调\r\nBcc: victim@example.com")
    services.outbox_deliver(message.pk)
    [mail] = smtp_sink.received
    assert mail["Bcc"] is None and "victim@example.com" in mail["Subject"]
    assert smtp_sink.received[0]["To"] == "lead@example.com"


def test_no_address_no_message(db):
    assert enqueue(to="") is None
    assert OutboxMessage.objects.count() == 0


def test_admins_see_the_outbox_and_send_a_failed_message_again(
    admin_user, smtp_sink, client, django_capture_on_commit_callbacks
):
    message = enqueue()
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=S.FAILED, attempts=services.MAX_ATTEMPTS, last_error="550 No such user"
    )
    client.force_login(admin_user)
    page = client.get("/admin/notifications/outboxmessage/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and "lead@example.com" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/notifications/outboxmessage/",
            {"action": "send_again", "_selected_action": [message.pk]},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == S.SENT and len(smtp_sink.received) == 1
    assert client.get(f"/admin/notifications/outboxmessage/{message.pk}/change/").status_code == 200


def test_other_staff_cannot_open_the_outbox(agent, client):
    client.force_login(agent)
    response = client.get("/admin/notifications/outboxmessage/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_a_mail_carries_its_attachment_and_keeps_it_for_a_retry(db, smtp_sink):
    pdf = b"%PDF-1.4\n" + "月度报告".encode() + b"\n%%EOF\n"
    message = services.email_enqueue(
        key="report:1:1",
        to_address="analyst@example.com",
        subject="月度服务报告 2026-03",
        body="见附件。",
        attachments=[services.Attachment("月度报告-2026-03.pdf", pdf, "application/pdf")],
    )
    [stored] = message.attachments.all()
    assert stored.size == len(pdf) and stored.file.name.startswith("outbox/")
    smtp_sink.data_reply = "451 4.3.0 Try again later"
    assert services.outbox_deliver(message.pk) == S.PENDING
    smtp_sink.data_reply = None
    message.refresh_from_db()
    assert services.outbox_deliver(message.pk, now=message.next_attempt_at) == S.SENT
    [mail] = smtp_sink.received
    [part] = list(mail.iter_attachments())
    assert part.get_filename() == "月度报告-2026-03.pdf"
    assert part.get_content_type() == "application/pdf"
    assert part.get_content() == pdf
    assert "见附件" in mail.get_body(("plain",)).get_content()


def test_the_same_file_for_many_mails_is_stored_once(db):
    pdf = b"%PDF-1.4 same bytes"
    names = set()
    for n in range(3):
        message = services.email_enqueue(
            key=f"report:1:{n}",
            to_address=f"u{n}@example.com",
            subject="s",
            body="b",
            attachments=[services.Attachment("r.pdf", pdf, "application/pdf")],
        )
        names.add(message.attachments.get().file.name)
    assert len(names) == 1


def test_a_missing_attachment_file_fails_the_mail_at_once(db, smtp_sink):
    message = services.email_enqueue(
        key="report:2:1",
        to_address="a@example.com",
        subject="s",
        body="b",
        attachments=[services.Attachment("r.pdf", b"%PDF-1.4 gone", "application/pdf")],
    )
    stored = message.attachments.get()
    stored.file.storage.delete(stored.file.name)
    assert services.outbox_deliver(message.pk) == S.FAILED
    message.refresh_from_db()
    assert "FileNotFoundError" in message.last_error and smtp_sink.received == []


def test_attachments_too_large_for_mail_are_refused(db):
    big = services.Attachment("big.pdf", b"0" * (services.ATTACHMENTS_MAX_BYTES + 1), "x/y")
    with pytest.raises(ValueError, match="too large"):
        services.email_enqueue(
            key="k", to_address="a@example.com", subject="s", body="b", attachments=[big]
        )
    assert OutboxMessage.objects.count() == 0

"""Integration: a real Dovecot on loopback, a real SMTP server (aiosmtpd) for what we send,
and exact counts of requests, comments, quarantined and held messages and receipts sent
(RELIABILITY E01, E02, E04, E11, E15–E17, E24)."""

import contextlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection

from aftersales.mailin import services
from aftersales.mailin.faults import ENV as FAULT_ENV
from aftersales.mailin.models import InboundMessage, Mailbox
from aftersales.mailin.tests import corpus
from aftersales.mailin.tests.conftest import USERS
from aftersales.notifications.models import Notification, OutboxMessage
from aftersales.service_requests.models import Comment, ServiceRequest

S = InboundMessage.Status
REPO = Path(__file__).resolve().parents[4]
PASSWORD_ENV = "AFTERSALES_TEST_MAILBOX_PASSWORD"


@pytest.fixture
def mailbox(dovecot, monkeypatch, transactional_db):
    monkeypatch.setenv(PASSWORD_ENV, USERS["service"])
    return Mailbox.objects.create(
        name="service",
        host=dovecot.host,
        port=dovecot.port,
        security=Mailbox.Security.NONE,
        username="service",
        password_env=PASSWORD_ENV,
    )


def counts() -> dict[str, int]:
    return {
        "requests": ServiceRequest.objects.count(),
        "comments": Comment.objects.count(),
        "processed": InboundMessage.objects.filter(status=S.PROCESSED).count(),
        "quarantined": InboundMessage.objects.filter(status=S.QUARANTINED).count(),
        "held": InboundMessage.objects.filter(status=S.HELD).count(),
        "ignored": InboundMessage.objects.filter(status=S.IGNORED).count(),
    }


def poll(mailbox: Mailbox) -> int:
    stored = services.mailbox_poll(mailbox, force=True)
    mailbox.refresh_from_db()
    assert mailbox.consecutive_failures == 0, mailbox.last_error
    return stored


def test_the_corpus_through_a_real_mailbox(mailbox, dovecot, smtp_sink):
    for raw in [
        corpus.plain(),
        corpus.gbk_labelled_gb2312(),
        corpus.nested(5000),  # poison first: the next message must still be processed
        corpus.big5_hkscs(),
        corpus.malformed("no-closing-boundary"),
        corpus.plain(),  # the same bytes again: stored once
        corpus.plain(extra={"Auto-Submitted": "auto-replied"}, message_id="<ooo@example.com>"),
        corpus.with_attachments(),
    ]:
        dovecot.append(raw)
    assert poll(mailbox) == 7
    assert dovecot.unseen() == []
    assert counts() == {
        "requests": 5,
        "comments": 0,
        "processed": 5,
        "quarantined": 1,
        "held": 1,
        "ignored": 0,
    }
    # One receipt per new request; zhang@ wrote twice (the plain and the photos): one.
    assert sorted(str(m["To"]) for m in smtp_sink.received) == [
        "chan@example.hk",
        "zhang@example.com",
        "zhao@example.com",
        "zhe@example.com",
    ]
    chan = ServiceRequest.objects.get(contact_email="chan@example.hk")
    assert chan.description == "部冷氣機壞咗㗎，唔該嚟睇下嘅。"

    # Round two: the customer's reply, a bounce of one receipt, a forged reply.
    zhang_ack = smtp_sink.to("zhang@example.com")[0]
    zhe_ack = smtp_sink.to("zhe@example.com")[0]
    zhang_request = InboundMessage.objects.get(message_id="<m1@example.com>").request
    dovecot.append(
        corpus.plain(
            subject=f"回复: {zhang_ack['Subject']}",
            body="明天上午在家。\n\n> 我们已收到",
            message_id="<reply@example.com>",
            extra={"In-Reply-To": zhang_ack["Message-ID"].strip()},
        )
    )
    dovecot.append(corpus.dsn(zhe_ack["Message-ID"].strip(), recipient="zhe@example.com"))
    dovecot.append(
        corpus.plain(
            sender="客服 <attacker@evil.example>",
            subject=f"答复: {zhang_request.number}",
            body="请把退款打到这个账户",
            message_id="<forged@evil.example>",
        )
    )
    assert poll(mailbox) == 3
    assert counts() == {
        "requests": 5,
        "comments": 1,
        "processed": 7,
        "quarantined": 1,
        "held": 2,
        "ignored": 0,
    }
    assert Comment.objects.get().body == "明天上午在家。"
    assert len(smtp_sink.received) == 4
    bounced = OutboxMessage.objects.get(message_id=zhe_ack["Message-ID"].strip())
    assert bounced.status == OutboxMessage.Status.FAILED
    # Nothing is fetched twice.
    assert poll(mailbox) == 0 and len(smtp_sink.received) == 4


def test_a_vacation_responder_gets_one_receipt_not_a_ping_pong(mailbox, dovecot, smtp_sink):
    dovecot.append(corpus.plain(sender="Away <away@example.com>", message_id="<first@x>"))
    rounds = 0
    answered = 0
    while rounds < 100:
        to_them = smtp_sink.to("away@example.com")
        if len(to_them) == answered:
            poll(mailbox)
            if len(smtp_sink.to("away@example.com")) == answered:
                break
            continue
        for sent in to_them[answered:]:
            rounds += 1
            dovecot.append(
                corpus.plain(
                    sender="Away <away@example.com>",
                    subject="Automatic reply: " + str(sent["Subject"]),
                    body="I am on holiday.",
                    message_id=f"<auto-{rounds}@x>",
                    extra={
                        "Auto-Submitted": "auto-replied",
                        "In-Reply-To": sent["Message-ID"].strip(),
                    },
                )
            )
        answered = len(to_them)
    assert len(smtp_sink.to("away@example.com")) == 1
    assert rounds == 1
    assert counts()["requests"] == 1 and counts()["comments"] == 1


def test_a_new_uidvalidity_is_not_mistaken_for_mail_already_read(mailbox, dovecot, smtp_sink):
    dovecot.doveadm("mailbox", "create", "-u", "service", "Support")
    Mailbox.objects.filter(pk=mailbox.pk).update(folder="Support")
    mailbox.refresh_from_db()
    dovecot.append(corpus.plain(), folder="Support")
    poll(mailbox)
    first_validity = mailbox.last_uidvalidity
    dovecot.recreate("Support")
    # UID 1 again: the old mail (same bytes) and a new one.
    dovecot.append(corpus.plain(), folder="Support")
    dovecot.append(
        corpus.plain(sender="Li <li@example.com>", message_id="<new@x>"), folder="Support"
    )
    assert poll(mailbox) == 1
    assert mailbox.last_uidvalidity != first_validity
    assert counts()["requests"] == 2 and len(smtp_sink.received) == 2
    assert dovecot.unseen(folder="Support") == []


def test_one_mail_to_two_mailboxes_makes_one_request_and_one_receipt(
    mailbox, dovecot, smtp_sink, monkeypatch
):
    monkeypatch.setenv("AFTERSALES_TEST_PARTS_PASSWORD", USERS["parts"])
    parts = Mailbox.objects.create(
        name="parts",
        host=dovecot.host,
        port=dovecot.port,
        security=Mailbox.Security.NONE,
        username="parts",
        password_env="AFTERSALES_TEST_PARTS_PASSWORD",
    )
    dovecot.append(b"Delivered-To: service@maker.example\r\n" + corpus.plain())
    dovecot.append(b"Delivered-To: parts@maker.example\r\n" + corpus.plain(), user="parts")
    poll(mailbox)
    poll(parts)
    assert counts()["requests"] == 1 and counts()["ignored"] == 1
    assert len(smtp_sink.received) == 1


def test_failures_are_recorded_backed_off_and_alerted(mailbox, dovecot, admin_user, settings):
    settings.MAILIN_ALERT_AFTER_FAILURES = 2
    os.environ[PASSWORD_ENV] = "wrong"
    services.mailbox_poll(mailbox, force=True)
    mailbox.refresh_from_db()
    assert mailbox.consecutive_failures == 1 and "login" in mailbox.last_error
    assert mailbox.next_poll_at is not None and mailbox.last_success_at is None
    # Not due yet: the beat's poll leaves it alone.
    assert services.mailbox_poll(mailbox) == 0
    mailbox.refresh_from_db()
    assert mailbox.consecutive_failures == 1
    dovecot.stop()
    os.environ[PASSWORD_ENV] = USERS["service"]
    services.mailbox_poll(mailbox, force=True)
    mailbox.refresh_from_db()
    assert mailbox.consecutive_failures == 2 and "connect" in mailbox.last_error
    assert (
        Notification.objects.filter(recipient=admin_user, key__startswith="mailin:failing").count()
        == 1
    )
    dovecot.start()
    dovecot.append(corpus.plain())
    assert poll(mailbox) == 1
    assert mailbox.consecutive_failures == 0 and mailbox.last_success_at is not None
    assert counts()["requests"] == 1


def _subprocess_env(tmp_path: Path, sink_port: int, fault: str = "") -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {FAULT_ENV, "DATABASE_URL"}}
    env |= {
        "DJANGO_SETTINGS_MODULE": "aftersales.config.settings",
        "AFTERSALES_TESTING": "1",
        "AFTERSALES_DATA_DIR": str(tmp_path / "data"),
        "AFTERSALES_SECRET_KEY": django_settings.SECRET_KEY,
        "AFTERSALES_SMTP_HOST": "127.0.0.1",
        "AFTERSALES_SMTP_PORT": str(sink_port),
        "AFTERSALES_SMTP_SECURITY": "none",
    }
    if connection.vendor == "postgresql":
        db = connection.settings_dict
        env["DATABASE_URL"] = (
            f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}"
        )
    else:
        env["AFTERSALES_SQLITE_PATH"] = str(tmp_path / "db.sqlite3")
    if fault:
        env[FAULT_ENV] = fault
    return env


def test_a_fetcher_killed_between_commit_and_seen(mailbox, dovecot, smtp_sink, tmp_path):
    """E01: SIGKILL after the commit, before STORE \\Seen; the next run stores nothing twice,
    opens one request and sends one receipt."""
    dovecot.append(corpus.plain())
    sqlite_file = tmp_path / "db.sqlite3"
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        with sqlite3.connect(sqlite_file) as target:
            connection.connection.backup(target)
    command = [sys.executable, "manage.py", "mail_fetch", "--mailbox", "service"]
    killed = subprocess.run(
        command,
        cwd=REPO,
        env=_subprocess_env(tmp_path, smtp_sink.port, "after_commit_before_seen"),
        capture_output=True,
        timeout=120,
    )
    assert killed.returncode == -9, killed.stderr
    assert dovecot.unseen() == [1]  # committed, not marked seen
    again = subprocess.run(
        command,
        cwd=REPO,
        env=_subprocess_env(tmp_path, smtp_sink.port),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert again.returncode == 0, again.stderr
    assert "0 new message(s)" in again.stdout
    assert dovecot.unseen() == []
    if connection.vendor == "sqlite":
        with sqlite3.connect(sqlite_file) as source:
            source.backup(connection.connection)
    assert InboundMessage.objects.count() == 1
    assert counts()["requests"] == 1 and counts()["processed"] == 1
    assert len(smtp_sink.received) == 1


def test_an_oversized_message_keeps_its_headers_and_the_next_one_goes_on(
    mailbox, dovecot, smtp_sink, settings
):
    settings.MAILIN_MAX_BYTES = 4096
    dovecot.append(corpus.plain(body="大" * 5000, message_id="<big@example.com>"))
    dovecot.append(corpus.plain(sender="Li <li@example.com>", message_id="<small@x>"))
    assert poll(mailbox) == 2
    big = InboundMessage.objects.get(message_id="<big@example.com>")
    assert big.status == S.QUARANTINED and big.announced_size > 4096
    assert len(bytes(big.raw)) < 4096 and b"Subject:" in bytes(big.raw)
    assert counts()["requests"] == 1 and len(smtp_sink.received) == 1
    assert dovecot.unseen() == []


class _CuttingProxy:
    """A TCP proxy to Dovecot that drops the connection after `limit` bytes from the server:
    the server "disconnects mid-FETCH"."""

    def __init__(self, target_port: int, limit: int) -> None:
        import socket
        import threading

        self.limit = limit
        self.target_port = target_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        import socket
        import threading

        with contextlib.suppress(OSError):
            while True:
                client, _addr = self.listener.accept()
                server = socket.create_connection(("127.0.0.1", self.target_port))
                threading.Thread(
                    target=self._pump, args=(client, server, None), daemon=True
                ).start()
                threading.Thread(
                    target=self._pump, args=(server, client, self.limit), daemon=True
                ).start()

    @staticmethod
    def _pump(source, target, limit) -> None:
        sent = 0
        with contextlib.suppress(OSError):
            while chunk := source.recv(4096):
                if limit is not None and sent + len(chunk) > limit:
                    target.sendall(chunk[: limit - sent])
                    break
                target.sendall(chunk)
                sent += len(chunk)
        for sock in (source, target):
            with contextlib.suppress(OSError):
                sock.close()

    def close(self) -> None:
        self.listener.close()


def test_a_connection_dropped_mid_fetch_leaves_no_partial_request(mailbox, dovecot, smtp_sink):
    dovecot.append(corpus.plain(body="很长的描述。" * 3000))
    proxy = _CuttingProxy(dovecot.port, limit=2500)
    try:
        Mailbox.objects.filter(pk=mailbox.pk).update(port=proxy.port)
        mailbox.refresh_from_db()
        services.mailbox_poll(mailbox, force=True)
        mailbox.refresh_from_db()
        assert mailbox.consecutive_failures == 1 and mailbox.last_error
        assert not InboundMessage.objects.exists() and not ServiceRequest.objects.exists()
        assert dovecot.unseen() == [1]
    finally:
        proxy.close()
    Mailbox.objects.filter(pk=mailbox.pk).update(port=dovecot.port)
    mailbox.refresh_from_db()
    assert poll(mailbox) == 1
    assert counts()["requests"] == 1 and len(smtp_sink.received) == 1

"""The MTA pipe, the management commands, the beat task and the admin pages."""

import io
import sys

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from aftersales.mailin import tasks
from aftersales.mailin.models import InboundMessage, Mailbox
from aftersales.mailin.tests import corpus
from aftersales.service_requests.models import ServiceRequest

S = InboundMessage.Status


def pipe(monkeypatch, raw: bytes) -> str:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))
    out = io.StringIO()
    call_command("mail_receive", stdout=out)
    return out.getvalue()


def test_mail_receive_stores_and_processes_once(db, monkeypatch):
    assert "processed" in pipe(monkeypatch, corpus.plain())
    assert "processed" in pipe(monkeypatch, corpus.plain())  # the MTA delivered it twice
    assert InboundMessage.objects.count() == 1 and ServiceRequest.objects.count() == 1
    message = InboundMessage.objects.get()
    assert message.source == InboundMessage.Source.PIPE and message.mailbox is None


def test_mail_receive_keeps_only_the_headers_of_an_oversized_message(db, monkeypatch, settings):
    settings.MAILIN_MAX_BYTES = 2048
    raw = corpus.plain(body="x" * 10_000)
    assert "quarantined" in pipe(monkeypatch, raw)
    message = InboundMessage.objects.get()
    assert message.size == len(raw) and message.announced_size == len(raw)
    assert bytes(message.raw).startswith(b"From: ") and b"xxxx" not in bytes(message.raw)


def test_mail_fetch_names_an_unknown_mailbox_and_a_failure(db):
    with pytest.raises(CommandError, match="No mailbox"):
        call_command("mail_fetch", "--mailbox", "nope")
    Mailbox.objects.create(
        name="down", host="127.0.0.1", port=1, security="none", username="u", password_env="NOPE_X"
    )
    with pytest.raises(CommandError, match="NOPE_X"):
        call_command("mail_fetch", "--mailbox", "down")


def test_the_beat_task_processes_what_is_pending(db):
    from aftersales.mailin import services

    message, _created = services.message_store(raw=corpus.plain())
    assert tasks.mail_poll() == 0
    message.refresh_from_db()
    assert message.status == S.PROCESSED
    assert tasks.message_process(message.pk) == S.PROCESSED


def test_admin_lists_quarantine_downloads_raw_and_retries(client, admin_user, settings, agent):
    from aftersales.mailin import services

    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    settings.MAILIN_MAX_PARTS = 10
    message, _created = services.message_store(raw=corpus.many_parts(30))
    services.message_process(message.pk)
    client.force_login(admin_user)
    listing = client.get(reverse("admin:mailin_inboundmessage_changelist") + "?status=quarantined")
    assert listing.status_code == 200
    assert "too many MIME parts" in listing.content.decode()
    raw = client.get(reverse("admin:mailin_inboundmessage_raw", args=[message.pk]))
    assert raw.status_code == 200 and raw.content == corpus.many_parts(30)
    assert raw["Content-Disposition"].startswith("attachment;")
    assert raw["X-Content-Type-Options"] == "nosniff"
    page = client.get(reverse("admin:mailin_inboundmessage_change", args=[message.pk]))
    assert page.status_code == 200
    settings.MAILIN_MAX_PARTS = 200
    client.post(
        reverse("admin:mailin_inboundmessage_changelist"),
        {"action": "retry", "_selected_action": [message.pk]},
    )
    message.refresh_from_db()
    assert message.status == S.PROCESSED
    # Others never see incoming mail.
    client.force_login(agent)
    denied = client.get(reverse("admin:mailin_inboundmessage_raw", args=[message.pk]))
    assert denied.status_code in {302, 403}


def test_mailbox_admin_never_asks_for_the_password(client, admin_user):
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    client.force_login(admin_user)
    page = client.get(reverse("admin:mailin_mailbox_add")).content.decode()
    assert 'name="password_env"' in page and 'type="password"' not in page

"""For a mail server's pipe (Postfix `mailbox_command`, an alias `|manage.py mail_receive`):
one raw message on standard input, stored, then processed. Exit status 0 once stored (even
if it is then quarantined or held: it is ours now), 75 (EX_TEMPFAIL: the mail server keeps
the message and tries again later) when it could not be stored."""

import sys

from django.conf import settings
from django.core.management.base import BaseCommand

from aftersales.mailin import services

EX_TEMPFAIL = 75


class Command(BaseCommand):
    help = "Store and process one raw message read from standard input (an MTA pipe)."

    def handle(self, *args, **options) -> None:
        limit = settings.MAILIN_MAX_BYTES
        stream = sys.stdin.buffer
        raw = stream.read(limit + 1)
        size = len(raw)
        if size > limit:
            while chunk := stream.read(1024 * 1024):
                size += len(chunk)
            head = raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0] + b"\n\n"
            raw = head
        try:
            message, created = services.message_store(
                raw=raw, announced_size=size if size > limit else None
            )
        except Exception as exc:  # noqa: BLE001 - the MTA must keep the message
            self.stderr.write(f"Could not store the message: {type(exc).__name__}: {exc}")
            sys.exit(EX_TEMPFAIL)
        # Processing reads the message back from the database: one copy in memory, not two.
        del raw
        if created:
            message = services.message_process(message.pk)
        self.stdout.write(f"message {message.pk}: {message.status}")

from django.core.management.base import BaseCommand, CommandError

from aftersales.mailin import services
from aftersales.mailin.models import Mailbox


class Command(BaseCommand):
    help = "Fetch new mail from the active IMAP mailboxes (or one) and process it."

    def add_arguments(self, parser):
        parser.add_argument("--mailbox", help="the mailbox's name; default all active ones")

    def handle(self, *args, **options) -> None:
        if options["mailbox"]:
            mailbox = Mailbox.objects.filter(name=options["mailbox"]).first()
            if mailbox is None:
                raise CommandError(f"No mailbox named {options['mailbox']!r}.")
            stored = services.mailbox_poll(mailbox, force=True)
            mailbox.refresh_from_db()
            if mailbox.consecutive_failures:
                raise CommandError(mailbox.last_error)
        else:
            stored = services.mailboxes_poll()
        self.stdout.write(f"{stored} new message(s) stored.")

"""`manage.py rollup_measures`: build every day's rollups now (after an import, a calendar
change or the seeding), instead of waiting for the periodic task to catch up."""

import time

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from aftersales.metrics import rollups


class Command(BaseCommand):
    help = _("Build the measures' daily rollups of every day that needs it.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--limit", type=int, default=None, help=_("At most this many days, newest first.")
        )

    def handle(self, *args: object, **options: object) -> None:
        started = time.monotonic()
        quiet = int(options["verbosity"]) == 0  # type: ignore[call-overload]

        def progress(done: int, total: int) -> None:
            # Days are built a month at a time: a line per month.
            if not quiet:
                self.stdout.write(_("%(done)d / %(total)d days") % {"done": done, "total": total})

        result = rollups.refresh(limit=options["limit"], progress=progress)  # type: ignore[arg-type]
        self.stdout.write(
            self.style.SUCCESS(
                _("Built %(days)d days (%(rows)d rows) in %(seconds).1f s; %(left)d days left.")
                % {**result, "seconds": time.monotonic() - started}
            )
        )

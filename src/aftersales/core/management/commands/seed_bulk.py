"""`manage.py seed_bulk --count N`: add N service requests fast (benchmarks, capacity tests)."""

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from aftersales.core import bulk


class Command(BaseCommand):
    help = _("Add many service requests at once, with customers, units and the search index.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--count", type=int, default=100_000, help=_("How many requests."))
        parser.add_argument(
            "--days", type=int, default=None, help=_("Spread over this many days (up to a year).")
        )
        parser.add_argument("--seed", type=int, default=1, help=_("Random seed."))

    def handle(self, *args: object, **options: object) -> None:
        count = int(options["count"])  # type: ignore[call-overload]

        def progress(done: int, total: int, seconds: float) -> None:
            self.stdout.write(
                _("%(done)d / %(total)d requests, %(rate)d per second")
                % {"done": done, "total": total, "rate": done / max(seconds, 1e-6)}
            )

        result = bulk.bulk_seed(
            count=count,
            seed=int(options["seed"]),  # type: ignore[call-overload]
            days=options["days"],  # type: ignore[arg-type]
            progress=progress if int(options["verbosity"]) > 0 else None,  # type: ignore[call-overload]
        )
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Added %(requests)d requests (%(rows)d rows) in %(seconds).1f s: "
                    "%(rate)d requests/s, %(row_rate)d rows/s."
                )
                % {
                    "requests": result.requests,
                    "rows": result.rows,
                    "seconds": result.seconds,
                    "rate": result.requests / max(result.seconds, 1e-6),
                    "row_rate": result.rows / max(result.seconds, 1e-6),
                }
            )
        )

import time

from django.core.management.base import BaseCommand, CommandParser

from aftersales.service_requests import services


class Command(BaseCommand):
    help = (
        "Recompute the due times of open requests from their history (what a change of a "
        "calendar or the SLA policies does in the background)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--calendar", type=int, default=None, help="Only requests counting on this calendar."
        )

    def handle(self, *args: object, **options: object) -> None:
        began = time.perf_counter()
        changed = services.due_times_recompute(calendar_id=options["calendar"])  # type: ignore[arg-type]
        seconds = time.perf_counter() - began
        self.stdout.write(f"{changed} requests' due times changed, in {seconds:.1f} s")

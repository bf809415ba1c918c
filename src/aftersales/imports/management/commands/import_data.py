"""Import customers, units or historical requests from a CSV or XLSX file.

    manage.py import_data --kind customers customers.xlsx [--dry-run] [--user admin]

Every row is checked first; with errors nothing is written and the report is printed (row,
column, value, message). The same rules as the console's import apply."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from aftersales.accounts.models import User
from aftersales.core.errors import DomainError
from aftersales.imports import services
from aftersales.imports.models import ImportJob, Kind


class Command(BaseCommand):
    help = "Import customers, units or historical service requests from a CSV or XLSX file."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("path")
        parser.add_argument("--kind", required=True, choices=Kind.values)
        parser.add_argument("--dry-run", action="store_true", help="Check only; write nothing.")
        parser.add_argument(
            "--user", default="", help="Username recorded as the importer (an administrator)."
        )

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        path = Path(options["path"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        by = None
        if options["user"]:
            by = User.objects.filter(username=options["user"]).first()
            if by is None:
                raise CommandError(f"No such user: {options['user']}")
        try:
            job = services.import_file(
                kind=options["kind"],
                file_name=path.name,
                data=path.read_bytes(),
                by=by,
                dry_run=options["dry_run"],
            )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        encoding = f", read as {job.encoding}" if job.encoding else ""
        self.stdout.write(
            f"{job.file_name} ({job.file_format}{encoding}): {job.rows_total} rows, "
            f"{job.rows_new} new, {job.rows_updated} updated, {job.rows_unchanged} unchanged."
        )
        if job.status == ImportJob.Status.FAILED:
            for error in job.errors:
                self.stdout.write(
                    f"row {error['row']}, {error['column']} = {error['value']!r}: {error['message']}"
                )
            raise CommandError(f"{job.error_count} errors: nothing was imported (import {job.pk}).")
        verb = "Checked" if job.status == ImportJob.Status.VALIDATED else "Imported"
        self.stdout.write(self.style.SUCCESS(f"{verb} (import {job.pk})."))

"""The columns of the repair records export (CSV and XLSX), defined once; rows are the
records of the requests the reader may see (staff only: it names technicians)."""

from collections.abc import Iterator

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from aftersales.core.exports import CHUNK, Column, service_time, yes_no
from aftersales.repair_records.models import PartUsed, RepairRecord


def _part(line: PartUsed) -> str:
    return f"{line.part_number} × {line.quantity}"


COLUMNS = [
    Column(_("Repair record"), lambda r: r.pk),
    Column(_("Service number"), lambda r: r.request.number),
    Column(_("Customer"), lambda r: r.request.customer.name),
    Column(_("Started at"), lambda r: service_time(r.started_at)),
    Column(_("Finished at"), lambda r: service_time(r.finished_at)),
    Column(_("Labour (minutes)"), lambda r: r.labour_minutes),
    Column(_("Technicians"), lambda r: ", ".join(sorted(t.username for t in r.technicians.all()))),
    Column(_("Work done"), lambda r: r.work_done),
    Column(_("Parts"), lambda r: "; ".join(_part(line) for line in r.parts.all())),
    Column(_("Test outcome"), lambda r: r.get_test_outcome_display()),
    Column(_("Test result"), lambda r: r.test_result),
    Column(_("Round"), lambda r: r.visit_round),
    Column(_("Repeat repair"), lambda r: yes_no(r.is_repeat)),
    Column(_("Written by"), lambda r: r.written_by.username if r.written_by else ""),
]


def rows(records: QuerySet[RepairRecord]) -> Iterator[RepairRecord]:
    return records.iterator(chunk_size=CHUNK)

"""The columns of the complaints export (CSV and XLSX), defined once; rows come from the
same scoped selector and filters as the list page and the API."""

from collections.abc import Iterator

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from aftersales.complaints.models import Complaint
from aftersales.core.exports import CHUNK, Column, service_time, yes_no

COLUMNS = [
    Column(_("Complaint"), lambda c: c.pk),
    Column(_("Service number"), lambda c: c.request.number),
    Column(_("Stage"), lambda c: c.get_stage_display()),
    Column(_("Customer"), lambda c: c.request.customer.name),
    Column(_("Who complained"), lambda c: c.complainant),
    Column(_("As"), lambda c: c.complainant_role),
    Column(_("What the complaint is about"), lambda c: c.subject),
    Column(_("What the customer wants"), lambda c: c.wanted),
    Column(_("Product"), lambda c: str(c.product) if c.product else ""),
    Column(_("Serial number"), lambda c: c.unit.serial_number if c.unit else ""),
    Column(_("Team"), lambda c: c.request.team.name if c.request.team else ""),
    Column(_("Recorded by"), lambda c: c.recorded_by.username),
    Column(_("Recorded at"), lambda c: service_time(c.recorded_at)),
    Column(_("Severity"), lambda c: c.get_severity_display()),
    Column(_("Our fault"), lambda c: c.get_fault_display()),
    Column(_("Founded"), lambda c: yes_no(c.founded)),
    Column(_("Agreement signed at"), lambda c: service_time(c.agreed_at)),
    Column(_("Customer satisfied at"), lambda c: service_time(c.satisfied_at)),
]


def rows(complaints: QuerySet[Complaint]) -> Iterator[Complaint]:
    return complaints.iterator(chunk_size=CHUNK)

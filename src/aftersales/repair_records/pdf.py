"""The printable repair record (维修记录单, SPEC §2.10) as a PDF, in Chinese or English.

The writer, the vendored font and why they are as they are: `aftersales.core.pdf`. Photos
are listed by name, never decoded or embedded (no image parsing of uploads, A05).
"""

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from aftersales.core.pdf import FONT, Writer, language_for, printable, when
from aftersales.repair_records.models import Confirmation, PartUsed, RepairRecord
from aftersales.service_requests import display

__all__ = ["FONT", "filename", "language_for", "printable", "render_record"]


def _warranty(record: RepairRecord) -> str:
    facts = display.warranty(record.request)
    if facts is None:
        return _("Unknown")
    end = facts["end"].isoformat()
    if facts["active"]:
        return _("In warranty until %(end)s") % {"end": end}
    return _("Out of warranty (ended %(end)s)") % {"end": end}


def _minutes(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    text = ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}
    if hours:
        text += " (" + _("%(hours)d h %(minutes)02d min") % {"hours": hours, "minutes": rest} + ")"
    return text


def _source(line: PartUsed, *, staff: bool) -> str:
    label = str(line.get_source_display())
    if staff and line.warehouse is not None:
        label += f" · {line.warehouse.code}"
    return label


def _confirmation_text(confirmation: Confirmation | None) -> str:
    if confirmation is None:
        return _("Not yet confirmed by the customer.")
    verdict = _("Fixed") if confirmation.satisfied else _("Not fixed")
    text = f"{verdict} · {confirmation.get_method_display()} · {when(confirmation.answered_at)}"
    if confirmation.comment:
        text += "\n" + confirmation.comment
    return text


def render_record(record: RepairRecord, *, staff: bool, language: str) -> bytes:
    """The record as a PDF in `language`; staff copies name the technicians and warehouses."""
    with translation.override(language):
        return _render(record, staff=staff, language=language)


def _render(record: RepairRecord, *, staff: bool, language: str) -> bytes:
    request = record.request
    writer = Writer(f"{request.number} {_('Repair record')}", language)
    zone = timezone.get_current_timezone_name()
    writer.page(
        _("%(number)s · printed %(when)s · times in %(zone)s")
        % {"number": request.number, "when": when(timezone.now()), "zone": zone}
    )
    writer.title(_("Repair record"), f"{request.number} · {_('record')} {record.pk}")

    customer = request.customer
    customer_line = customer.name + (f" · {customer.organisation}" if customer.organisation else "")
    product = str(request.product) if request.product else "—"
    writer.heading(_("Service request"))
    writer.facts(
        [
            (_("Service number"), request.number),
            (_("Customer"), customer_line),
            (
                _("Contact"),
                " · ".join(v for v in (request.contact_name, request.contact_phone) if v),
            ),
            (_("Address"), request.address),
            (_("Product"), product),
            (_("Serial number"), request.serial_number),
            (_("Warranty"), _warranty(record)),
            (_("Problem"), request.title),
            (_("Received"), when(request.received_at)),
        ]
    )

    writer.heading(_("Work"))
    rows = [
        (_("Started"), when(record.started_at)),
        (_("Finished"), when(record.finished_at)),
        (_("Labour"), _minutes(record.labour_minutes)),
    ]
    if staff:
        names = ", ".join(person.display_name for person in record.technicians.all())
        rows.append((_("Technicians"), names))
    if record.is_repeat:
        rows.append(
            (
                _("Repeat repair"),
                _("Work after the request was reopened (%(count)d times)")
                % {"count": record.visit_round},
            )
        )
    writer.facts(rows)
    writer.heading(_("Work done"))
    writer.text(record.work_done)

    writer.heading(_("Parts replaced"))
    parts = list(record.parts.all())
    if parts:
        writer.grid(
            [
                _("Part number"),
                _("Description"),
                _("Quantity"),
                _("Serial removed"),
                _("Serial fitted"),
                _("From"),
            ],
            [
                [
                    line.part_number,
                    line.description,
                    str(line.quantity),
                    line.old_serial,
                    line.new_serial,
                    _source(line, staff=staff),
                ]
                for line in parts
            ],
            (25, 42, 18, 29, 29, 37),
        )
    else:
        writer.text(_("No parts were replaced."))

    writer.heading(_("Test"))
    writer.facts([(_("Result"), str(record.get_test_outcome_display()))])
    if record.test_result:
        writer.text(record.test_result)
    photos = [photo.original_name for photo in record.photos.all()]
    if photos:
        writer.heading(_("Photos"))
        writer.text("\n".join(photos))

    writer.heading(_("Customer's confirmation"))
    confirmation = request.confirmations.filter(round=record.visit_round).first()
    writer.text(_confirmation_text(confirmation))

    writer.signatures([_("Technician's signature"), _("Customer's signature")])
    return writer.output()


def filename(record: RepairRecord) -> str:
    return f"{record.request.number}-repair-record-{record.pk}.pdf"

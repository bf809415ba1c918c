"""The complaint agreement (处理协议, SPEC §2.10) as a PDF, in Chinese or English: the
complaint, the remedy agreed with its values, and the signature (the typed name, the drawn
signature as we re-encoded it, time and — on staff copies — the IP address), or a paper
agreement's reference. Drawn with the shared writer (`core/pdf.py`): text is printed
literally, nothing is fetched."""

from decimal import Decimal

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from aftersales.complaints.models import Proposal
from aftersales.core.pdf import Writer, language_for, when

__all__ = ["filename", "language_for", "render_agreement"]


def render_agreement(proposal: Proposal, *, staff: bool, language: str) -> bytes:
    with translation.override(language):
        return _render(proposal, staff=staff, language=language)


def _render(proposal: Proposal, *, staff: bool, language: str) -> bytes:
    complaint = proposal.complaint
    request = complaint.request
    writer = Writer(f"{request.number} {_('Complaint agreement')}", language)
    zone = timezone.get_current_timezone_name()
    writer.page(
        _("%(number)s · printed %(when)s · times in %(zone)s")
        % {"number": request.number, "when": when(timezone.now()), "zone": zone}
    )
    writer.title(
        _("Complaint agreement"),
        _("%(number)s · proposal %(version)d")
        % {"number": request.number, "version": proposal.number},
    )
    customer = request.customer
    writer.heading(_("Complaint"))
    writer.facts(
        [
            (_("Service number"), request.number),
            (_("Customer"), customer.name),
            (_("Who complained"), complaint.complainant),
            (_("Product"), str(complaint.product) if complaint.product else "—"),
            (_("Batch number"), complaint.batch_number),
            (_("About"), complaint.subject),
            (_("Registered"), when(complaint.recorded_at)),
        ]
    )
    writer.heading(_("What we agree to do"))
    lines = list(proposal.lines.select_related("part", "product").order_by("id"))
    writer.grid(
        [_("Remedy"), _("Item"), _("Quantity"), _("Unit value"), _("Amount")],
        [
            [
                str(line.get_kind_display()),
                " ".join(
                    v
                    for v in (
                        line.part.part_number if line.part else "",
                        str(line.product) if line.product else "",
                        line.description,
                    )
                    if v
                ),
                str(line.quantity),
                f"{line.unit_value:,.2f}",
                f"{line.amount:,.2f}",
            ]
            for line in lines
        ],
        (40, 70, 20, 25, 25),
    )
    total = sum((line.amount for line in lines), Decimal("0.00"))
    writer.facts([(_("Total"), f"{total:,.2f} {proposal.currency}")])
    writer.heading(_("Signature"))
    agreement = getattr(proposal, "agreement", None)
    if agreement is None:
        writer.text(_("Not signed yet."))
        writer.signatures([_("Customer's signature")])
        return writer.output()
    rows = [
        (_("Signed by"), agreement.signer_name),
        (_("Signed at"), when(agreement.signed_at)),
        (_("How"), str(agreement.get_method_display())),
        (_("Content fingerprint (SHA-256)"), agreement.content_sha256),
    ]
    if staff and agreement.ip_address:
        rows.append((_("IP address"), agreement.ip_address))
    writer.facts(rows)
    if agreement.signature_png:
        writer.image(bytes(agreement.signature_png), width=70, label=_("Drawn signature"))
    elif agreement.paper_id:
        writer.text(_("Signed on paper; the scan is kept with the service request."))
    return writer.output()


def filename(proposal: Proposal) -> str:
    return f"{proposal.complaint.request.number}-complaint-agreement-v{proposal.number}.pdf"

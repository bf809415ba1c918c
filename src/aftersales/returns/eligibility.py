"""Whether a unit may be returned for a refund, replaced, or only repaired (pure: no database).

The windows are counted in whole calendar days after the purchase, as China's rules on
returns count them (the 7-day no-reason return starts the day after the customer received
the goods): bought on 1 May with a 7-day window, a request received on 8 May is within it,
one received on 9 May is not. The date that counts is the day the request was received in
the service time zone, not the day staff get round to it.

- refund: within the return window (no reason needed);
- replacement: within the replacement window (never shorter than the return window), or
  later while in warranty for a product quality fault;
- otherwise repair only (free in warranty) or not eligible (a paid repair is possible);
- without a purchase date, staff decide and record why.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

DEFAULT_RETURN_DAYS = 7
DEFAULT_REPLACEMENT_DAYS = 15


class Outcome(models.TextChoices):
    REFUND = "refund", _("Refund possible")
    REPLACEMENT = "replacement", _("Replacement possible")
    REPAIR = "repair", _("Repair only")
    NOT_ELIGIBLE = "not_eligible", _("Not eligible")
    STAFF_DECIDE = "staff_decide", _("Staff decide")


@dataclass(frozen=True)
class Eligibility:
    outcome: Outcome
    refund: bool
    replacement: bool
    reason: Any  # lazy text: rendered in the reader's language
    days_since_purchase: int | None = None
    return_until: datetime.date | None = None
    replacement_until: datetime.date | None = None
    warranty_end: datetime.date | None = None
    in_warranty: bool = False

    @property
    def css(self) -> str:
        return {
            Outcome.REFUND: "success",
            Outcome.REPLACEMENT: "success",
            Outcome.REPAIR: "info",
            Outcome.NOT_ELIGIBLE: "neutral",
            Outcome.STAFF_DECIDE: "warning",
        }[self.outcome]


class _Reason:
    """A reason rendered when shown (so in the reader's language), from a lazy template."""

    def __init__(self, template: Any, **values: Any):
        self.template, self.values = template, values

    def __str__(self) -> str:
        values = {
            k: v.isoformat() if isinstance(v, datetime.date) else v for k, v in self.values.items()
        }
        return str(self.template) % values

    def __eq__(self, other: object) -> bool:
        return str(self) == str(other)

    def __hash__(self) -> int:
        return hash(str(self))


def assess(
    *,
    purchase_date: datetime.date | None,
    received_on: datetime.date,
    warranty_end: datetime.date | None,
    quality_fault: bool,
    return_days: int = DEFAULT_RETURN_DAYS,
    replacement_days: int = DEFAULT_REPLACEMENT_DAYS,
    stated_purchase_date: datetime.date | None = None,
) -> Eligibility:
    """What the customer is entitled to for a request received on `received_on`.

    `warranty_end` is the last day of the warranty (inclusive, as `Unit.in_warranty_on`);
    `quality_fault` means the request is classified as a product quality problem;
    `stated_purchase_date` is what the customer said when the unit has none recorded.
    """
    if purchase_date is None:
        if stated_purchase_date is not None:
            reason = _Reason(
                _(
                    "No purchase date is recorded for this unit; the customer gave %(stated)s, "
                    "which nobody has checked. Staff decide, and record why."
                ),
                stated=stated_purchase_date,
            )
        else:
            reason = _Reason(
                _("No purchase date is known for this unit: staff decide, and record why.")
            )
        return Eligibility(Outcome.STAFF_DECIDE, refund=False, replacement=False, reason=reason)
    if received_on < purchase_date:
        return Eligibility(
            Outcome.STAFF_DECIDE,
            refund=False,
            replacement=False,
            reason=_Reason(
                _(
                    "The request was received on %(received)s, before the recorded purchase "
                    "date %(purchase)s: check the purchase date. Staff decide, and record why."
                ),
                received=received_on,
                purchase=purchase_date,
            ),
        )
    days = (received_on - purchase_date).days
    return_until = purchase_date + datetime.timedelta(days=return_days)
    # A replacement is never harder to get than a refund.
    replacement_until = purchase_date + datetime.timedelta(days=max(return_days, replacement_days))
    in_warranty = warranty_end is not None and received_on <= warranty_end
    facts = {
        "days_since_purchase": days,
        "return_until": return_until,
        "replacement_until": replacement_until,
        "warranty_end": warranty_end,
        "in_warranty": in_warranty,
    }
    values = {
        "purchase": purchase_date,
        "days": days,
        "return_days": return_days,
        "return_until": return_until,
        "replacement_days": max(return_days, replacement_days),
        "replacement_until": replacement_until,
        "warranty_end": warranty_end,
    }
    if received_on <= return_until:
        reason = _Reason(
            _(
                "Bought on %(purchase)s, %(days)d days before the request: within the "
                "%(return_days)d-day return window (until %(return_until)s). A refund, a "
                "replacement or a repair is possible."
            ),
            **values,
        )
        return Eligibility(Outcome.REFUND, refund=True, replacement=True, reason=reason, **facts)
    if received_on <= replacement_until:
        reason = _Reason(
            _(
                "Bought on %(purchase)s, %(days)d days before the request: past the "
                "%(return_days)d-day return window (it ended on %(return_until)s) but within the "
                "%(replacement_days)d-day replacement window (until %(replacement_until)s). A "
                "replacement or a repair is possible, not a refund."
            ),
            **values,
        )
        return Eligibility(
            Outcome.REPLACEMENT, refund=False, replacement=True, reason=reason, **facts
        )
    if in_warranty and quality_fault:
        reason = _Reason(
            _(
                "Past the replacement window (it ended on %(replacement_until)s), but a product "
                "quality fault in warranty (until %(warranty_end)s): a replacement or a repair "
                "is possible, not a refund."
            ),
            **values,
        )
        return Eligibility(
            Outcome.REPLACEMENT, refund=False, replacement=True, reason=reason, **facts
        )
    if in_warranty:
        reason = _Reason(
            _(
                "Past the replacement window (it ended on %(replacement_until)s). In warranty "
                "until %(warranty_end)s, but a replacement in warranty is for product quality "
                "faults only: repair under warranty."
            ),
            **values,
        )
        return Eligibility(Outcome.REPAIR, refund=False, replacement=False, reason=reason, **facts)
    if warranty_end is None:
        template = _(
            "Past the replacement window (it ended on %(replacement_until)s) and no warranty "
            "end is known: not eligible for a refund or a replacement; a paid repair is possible."
        )
    else:
        template = _(
            "Past the replacement window (it ended on %(replacement_until)s) and out of warranty "
            "(it ended on %(warranty_end)s): not eligible for a refund or a replacement; a paid "
            "repair is possible."
        )
    return Eligibility(
        Outcome.NOT_ELIGIBLE,
        refund=False,
        replacement=False,
        reason=_Reason(template, **values),
        **facts,
    )

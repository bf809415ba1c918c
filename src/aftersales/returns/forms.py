"""HTML input of the RMA card's forms (validation only; the services decide).

Field names are the services' keyword arguments, so a refusal naming a field is shown next
to it. Each step's form carries the authorisation's version: a second person acting on a
page that went stale is told, not silently overwritten.
"""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.catalog.models import Unit
from aftersales.returns import selectors
from aftersales.returns.models import (
    MONEY,
    Decision,
    InspectionResult,
    RefundMethod,
    ReturnAuthorisation,
)
from aftersales.service_requests.forms import DateInput, MultipleFileField


def _text(
    label: Any, *, required: bool = False, rows: int = 0, max_length: int = 2000, **kw: Any
) -> forms.CharField:
    widget = forms.Textarea(attrs={"rows": rows}) if rows else None
    return forms.CharField(
        label=label, required=required, max_length=max_length, widget=widget, **kw
    )


def _date(label: Any) -> forms.DateField:
    return forms.DateField(label=label, required=False, widget=DateInput())


class StepForm(forms.Form):
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, rma: ReturnAuthorisation | None = None, **kwargs: Any):
        kwargs.setdefault("auto_id", f"rma-{self.step}-%s")
        if rma is not None:
            kwargs["initial"] = {"version": rma.version, **kwargs.get("initial", {})}
        super().__init__(*args, **kwargs)

    step = ""

    def data_for_service(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["expected_version"] = data.pop("version")
        return data


class AuthoriseForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=Decision.choices)
    reason = _text(
        _("Reason (the customer sees it)"),
        rows=3,
        help_text=_(
            "Needed for a refusal, an exception, and when the terms do not decide (no "
            "purchase date)."
        ),
    )
    purchase_price = forms.DecimalField(
        label=_("Price paid"),
        required=False,
        min_value=0,
        help_text=_("From the invoice, if known: no refund may exceed it."),
        **MONEY,
    )

    def __init__(self, *args: Any, **kwargs: Any):
        kwargs.setdefault("auto_id", "rma-authorise-%s")
        super().__init__(*args, **kwargs)


class ShipInForm(StepForm):
    step = "ship_in"
    carrier = forms.CharField(label=_("Carrier"), max_length=100)
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=100)
    shipped_on = _date(_("Sent on"))


class ReceiveForm(StepForm):
    step = "receive"
    received_on = _date(_("Received on"))
    warehouse = forms.ModelChoiceField(
        label=_("Received into"), queryset=selectors.receiving_warehouses(), required=False
    )
    condition_notes = _text(_("Condition on arrival (staff only)"), rows=3)
    photos = MultipleFileField(label=_("Photos"))


class InspectForm(StepForm):
    step = "inspect"
    result = forms.ChoiceField(label=_("Result"), choices=InspectionResult.choices)
    notes = _text(_("What you found (staff only)"), rows=3, max_length=5000)


class RefundForm(StepForm):
    step = "refund"
    amount = forms.DecimalField(label=_("Amount"), min_value=0, **MONEY)
    method = forms.ChoiceField(label=_("Paid back by"), choices=RefundMethod.choices)
    reference = forms.CharField(label=_("Payment reference"), max_length=100, required=False)
    refunded_on = _date(_("Refunded on"))
    reason = _text(
        _("Why this amount"), rows=2, help_text=_("Needed when the price paid is not known.")
    )


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return obj.serial_number + (f" · {obj.batch_number}" if obj.batch_number else "")


class ReplaceForm(StepForm):
    step = "replace"
    replacement_unit = UnitChoiceField(
        label=_("A unit in stock"), queryset=Unit.objects.none(), required=False
    )
    serial_number = forms.CharField(
        label=_("Or the serial number of a new unit"), max_length=100, required=False
    )
    batch_number = forms.CharField(label=_("Its batch number"), max_length=100, required=False)

    def __init__(self, *args: Any, rma: ReturnAuthorisation | None = None, **kwargs: Any):
        super().__init__(*args, rma=rma, **kwargs)
        if rma is not None:
            candidates = selectors.replacement_candidates(rma)
            self.fields["replacement_unit"].queryset = Unit.objects.filter(
                pk__in=[unit.pk for unit in candidates]
            )


class ShipOutForm(StepForm):
    step = "ship_out"
    carrier = forms.CharField(label=_("Carrier"), max_length=100)
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=100, required=False)
    shipped_on = _date(_("Sent on"))
    delivered_on = _date(_("Delivered on"))


class CancelForm(StepForm):
    step = "cancel"
    reason = _text(_("Reason (the customer sees it)"), required=True, rows=2)


STEP_FORMS: dict[str, type[StepForm]] = {
    form.step: form
    for form in (
        ShipInForm,
        ReceiveForm,
        InspectForm,
        RefundForm,
        ReplaceForm,
        ShipOutForm,
        CancelForm,
    )
}


def step_form(step: str, rma: ReturnAuthorisation) -> StepForm:
    """The empty form of `step`, filled with what is known (a correction starts from it)."""
    initial: dict[str, Any] = {}
    if step == "ship_in":
        initial = {
            "carrier": rma.inbound_carrier,
            "tracking_number": rma.inbound_tracking,
            "shipped_on": rma.inbound_shipped_on,
        }
    elif step == "ship_out":
        initial = {
            "carrier": rma.outbound_carrier,
            "tracking_number": rma.outbound_tracking,
            "shipped_on": rma.outbound_shipped_on,
            "delivered_on": rma.outbound_delivered_on,
        }
    elif step == "refund" and rma.purchase_price is not None:
        initial = {"amount": rma.purchase_price}
    return STEP_FORMS[step](rma=rma, initial=initial)

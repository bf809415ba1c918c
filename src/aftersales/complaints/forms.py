"""HTML input of complaints: the console's step forms and the portal's answers. Validation
of input only; the rules are the services'."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.catalog.models import Product, Unit
from aftersales.complaints.models import ContactMethod, Fault, RemedyKind, Severity
from aftersales.core.text import validate_clean_text
from aftersales.parts.models import Part
from aftersales.service_requests.models import ServiceRequest


def _text(label: Any, max_length: int = 4000, *, required: bool = False, rows: int = 3) -> Any:
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        validators=[validate_clean_text],
        widget=forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput(),
    )


class RegisterForm(forms.Form):
    complainant = _text(_("Who complained"), 200, rows=0)
    complainant_role = _text(_("As"), 100, rows=0)
    subject = _text(_("What the complaint is about"), required=True)
    wanted = _text(_("What the customer wants"))
    batch_number = _text(_("Batch number"), 100, rows=0)
    related_requests = forms.CharField(
        label=_("Earlier requests"),
        required=False,
        max_length=500,
        help_text=_("Service numbers, separated by spaces or commas."),
    )

    def data_for_service(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["related_requests"] = [
            n for n in data["related_requests"].replace(",", " ").split() if n
        ]
        return data


class NewComplaintForm(RegisterForm):
    customer_name = _text(_("Customer"), 200, required=True, rows=0)
    contact_phone = _text(_("Phone"), 40, rows=0)
    contact_email = forms.EmailField(label=_("Email"), required=False)
    address = _text(_("Address"), 300, rows=0)
    channel = forms.ChoiceField(
        label=_("Channel"), choices=ServiceRequest.Channel.choices, initial="phone"
    )
    unit = forms.ModelChoiceField(
        label=_("Unit (serial number)"),
        queryset=Unit.objects.all(),
        required=False,
        to_field_name="serial_number",
        widget=forms.TextInput(),
    )

    field_order = ["customer_name", "contact_phone", "contact_email", "address", "channel"]


class ContactForm(forms.Form):
    method = forms.ChoiceField(label=_("How"), choices=ContactMethod.choices)
    contacted_at = forms.DateTimeField(
        label=_("When"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=_("Now if left empty."),
    )
    facts = _text(_("What the customer told us"), required=True)


class InvestigationForm(forms.Form):
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices)
    fault = forms.ChoiceField(label=_("Our fault"), choices=Fault.choices)
    fault_percent = forms.IntegerField(
        label=_("Share of our fault (%)"), required=False, min_value=0, max_value=100
    )
    founded = forms.TypedChoiceField(
        label=_("Founded"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
    )
    findings = _text(_("Findings"))
    other_demands = _text(_("What else the customer asks for"))


LINE_COUNT = 5


class ProposalForm(forms.Form):
    """Up to five remedy lines (empty rows are skipped) and the reasoning."""

    reasoning = _text(_("Reasoning"), required=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for i in range(LINE_COUNT):
            self.fields[f"kind_{i}"] = forms.ChoiceField(
                label=_("Remedy"),
                choices=[("", "—"), *RemedyKind.choices],
                required=False,
            )
            self.fields[f"description_{i}"] = _text(_("Description"), 300, rows=0)
            self.fields[f"part_{i}"] = forms.ModelChoiceField(
                label=_("Part number"),
                queryset=Part.objects.all(),
                to_field_name="part_number",
                required=False,
                widget=forms.TextInput(),
            )
            self.fields[f"product_{i}"] = forms.ModelChoiceField(
                label=_("Product model"),
                queryset=Product.objects.all(),
                to_field_name="model",
                required=False,
                widget=forms.TextInput(),
            )
            self.fields[f"quantity_{i}"] = forms.IntegerField(
                label=_("Quantity"), required=False, min_value=1, max_value=100000
            )
            self.fields[f"unit_value_{i}"] = forms.DecimalField(
                label=_("Unit value"), required=False, min_value=0, decimal_places=2, max_digits=12
            )

    def rows(self) -> list[list[Any]]:
        names = ["kind", "description", "part", "product", "quantity", "unit_value"]
        return [[self[f"{name}_{i}"] for name in names] for i in range(LINE_COUNT)]

    def data_for_service(self) -> dict[str, Any]:
        data = self.cleaned_data
        lines = []
        for i in range(LINE_COUNT):
            if not data.get(f"kind_{i}"):
                continue
            lines.append(
                {
                    "kind": data[f"kind_{i}"],
                    "description": data.get(f"description_{i}") or "",
                    "part": data.get(f"part_{i}"),
                    "product": data.get(f"product_{i}"),
                    "quantity": data.get(f"quantity_{i}") or 1,
                    "unit_value": data.get(f"unit_value_{i}") or 0,
                }
            )
        return {"reasoning": data["reasoning"], "lines": lines}


class NoteForm(forms.Form):
    note = _text(_("Note"), 2000)


class CommentForm(forms.Form):
    comment = _text(_("Comment"), 2000)


class PaperForm(forms.Form):
    signer_name = _text(_("Signed by"), 200, required=True, rows=0)
    signed_at = forms.DateTimeField(
        label=_("Signed at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    file = forms.FileField(label=_("Scan or photo of the signed agreement"))


class ReasonForm(forms.Form):
    reason = _text(_("Reason"), required=True)


class SatisfactionForm(forms.Form):
    satisfied = forms.TypedChoiceField(
        label=_("Is the customer satisfied?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
    )
    comment = _text(_("Comment"))


class ContactProofForm(forms.Form):
    """The phone number or email the request was filed with, as tracking asks for it."""

    contact = forms.CharField(
        label=_("Phone number or email"),
        max_length=254,
        help_text=_("The one you gave when you told us about the problem."),
    )


class SignForm(ContactProofForm):
    signer_name = forms.CharField(label=_("Your name"), max_length=200, required=False)
    signature = forms.CharField(max_length=600_000, required=False)


class PortalReasonForm(ContactProofForm):
    reason = forms.CharField(max_length=4000, required=False)

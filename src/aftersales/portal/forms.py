"""Input checks for the customer portal. Saving is done by the service_requests services."""

import datetime
import unicodedata
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.core.errors import DomainError
from aftersales.core.text import normalise_phone, validate_clean_text
from aftersales.portal import selectors
from aftersales.service_requests import services
from aftersales.service_requests.models import Kind

# Clocks on phones drift; an "occurred at" a few minutes ahead is not an error.
_CLOCK_SLACK = datetime.timedelta(minutes=10)
MIN_PHONE_DIGITS = 5
MAX_PHONE_DIGITS = 20
ACCEPTED_FILES = (
    "image/*,video/*,.pdf,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.odt,.ods,.odp,.heic,.heif,.mov,.mp4"
)


class TextField(forms.CharField):
    """Free text from strangers: the length is checked first, so a huge value is refused
    without being scanned, then control and direction-override characters are refused."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("validators", [])
        kwargs["validators"] = [*kwargs["validators"], validate_clean_text]
        super().__init__(*args, **kwargs)

    def run_validators(self, value: Any) -> None:
        if value not in self.empty_values and self.max_length is not None:
            MaxLengthValidator(self.max_length)(value)
        super().run_validators(value)


class CleanEmailField(forms.EmailField):
    def run_validators(self, value: Any) -> None:
        if value not in self.empty_values and self.max_length is not None:
            MaxLengthValidator(self.max_length)(value)
        validate_clean_text(value or "")
        super().run_validators(value)


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; cleans to a list (empty when none were chosen)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPTED_FILES}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single_clean = super().clean
        if isinstance(data, list | tuple):
            return [single_clean(item, initial) for item in data if item]
        return [single_clean(data, initial)] if data else []


class ProductChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.model} · {obj.name}"


class PortalForm(forms.Form):
    @property
    def fields_with_errors(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name in self.errors]


class SubmitForm(PortalForm):
    """Report a problem (SPEC §2.1): who you are, the product, what happened, files."""

    # Who
    name = TextField(
        label=_("Your name"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    phone = TextField(
        label=_("Phone number"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )
    email = CleanEmailField(
        label=_("Email"),
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_("Give a phone number or an email (or both), so that we can reach you."),
    )
    organisation = TextField(
        label=_("Company or organisation"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    address = TextField(
        label=_("Address"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
        help_text=_("Where the product is, if we need to visit."),
    )
    # Product
    product = ProductChoiceField(
        label=_("Product model"),
        queryset=selectors.active_products(),
        required=False,
        empty_label=_("I don't know / not in the list"),
    )
    serial_number = TextField(
        label=_("Serial number"),
        max_length=100,
        required=False,
        help_text=_("Usually on a label on the back or the bottom of the product."),
    )
    purchase_date = forms.DateField(
        label=_("Purchase date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%Y/%m/%d"],
    )
    purchase_channel = TextField(
        label=_("Where did you buy it?"),
        max_length=100,
        required=False,
        help_text=_("A shop, a dealer, an online store, a project…"),
    )
    # What happened
    kind = forms.ChoiceField(
        label=_("What do you need?"), choices=Kind.choices, initial=Kind.REPAIR
    )
    title = TextField(
        label=_("Short summary"),
        max_length=200,
        help_text=_("For example: the air conditioner does not cool."),
    )
    description = TextField(
        label=_("What happened?"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What you see or hear, what you were doing, any error message."),
    )
    occurred_at = forms.DateTimeField(
        label=_("When did it happen?"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
    )
    location = TextField(
        label=_("Where did it happen?"),
        max_length=300,
        required=False,
        help_text=_("For example: the kitchen, the second floor, the production line."),
    )
    attachments = MultipleFileField(
        label=_("Photos, videos or documents"),
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Either one is needed (see clean()), so neither is labelled optional.
        for name in ("phone", "email"):
            self.fields[name].one_of_required = True  # type: ignore[attr-defined]
        self.fields["attachments"].help_text = _(
            "Photos, videos, PDF or office documents: up to %(count)d files, %(size)d MB each."
        ) % {
            "count": settings.ATTACHMENTS_PER_UPLOAD,
            "size": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024),
        }

    def clean_phone(self) -> str:
        phone = unicodedata.normalize("NFKC", self.cleaned_data["phone"]).strip()
        if not phone:
            return ""
        digits = len(normalise_phone(phone).lstrip("+"))
        if not MIN_PHONE_DIGITS <= digits <= MAX_PHONE_DIGITS:
            raise ValidationError(
                _("Enter a phone number we can call (%(min)d to %(max)d digits)."),
                params={"min": MIN_PHONE_DIGITS, "max": MAX_PHONE_DIGITS},
            )
        if any(not (c.isdigit() or c in "+-(). ") for c in phone):
            raise ValidationError(
                _("A phone number has only digits, spaces, dots, +, - and brackets.")
            )
        return phone

    def clean_purchase_date(self) -> datetime.date | None:
        day = self.cleaned_data["purchase_date"]
        if day is not None and day > timezone.localdate() + datetime.timedelta(days=1):
            raise ValidationError(_("The purchase date cannot be in the future."))
        return day

    def clean_occurred_at(self) -> datetime.datetime | None:
        moment = self.cleaned_data["occurred_at"]
        if moment is not None and moment > timezone.now() + _CLOCK_SLACK:
            raise ValidationError(_("This cannot be in the future."))
        return moment

    def clean_attachments(self) -> list[Any]:
        """Every file is checked so that each bad one is named (the service checks again)."""
        uploads = self.cleaned_data["attachments"]
        if len(uploads) > settings.ATTACHMENTS_PER_UPLOAD:
            raise ValidationError(
                _("Choose at most %(count)d files."),
                params={"count": settings.ATTACHMENTS_PER_UPLOAD},
            )
        errors = []
        for upload in uploads:
            try:
                services.attachment_check(upload)
            except DomainError as exc:
                errors.append(ValidationError(exc.message))
        if errors:
            raise ValidationError(errors)
        return uploads

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        has_errors = "phone" in self.errors or "email" in self.errors
        if not has_errors and not (data.get("phone") or data.get("email")):
            self.add_error("phone", _("Give a phone number or an email so that we can reach you."))
        return data

    def customer_fields(self) -> dict[str, str]:
        data = self.cleaned_data
        return {"name": data["name"], "phone": data["phone"], "email": data["email"]}

    def request_data(self) -> dict[str, Any]:
        """The fields of the service request, as service_request_create takes them."""
        data = self.cleaned_data
        return {
            "contact_name": data["name"],
            "contact_phone": data["phone"],
            "contact_email": data["email"],
            "organisation": data["organisation"],
            "address": data["address"],
            "product": data["product"],
            "serial_number": data["serial_number"],
            "purchase_date": data["purchase_date"],
            "purchase_channel": data["purchase_channel"],
            "kind": data["kind"],
            "title": data["title"],
            "description": data["description"],
            "occurred_at": data["occurred_at"],
            "location": data["location"],
        }


# Names the services use for inputs, mapped to the field of this form that holds them.
_DOMAIN_FIELDS = {
    "customer": "phone",
    "customer.name": "name",
    "customer.phone": "phone",
    "customer.email": "email",
    "contact_name": "name",
    "contact_phone": "phone",
    "contact_email": "email",
}


def add_domain_errors(form: forms.Form, exc: DomainError) -> None:
    """Show a service's refusal next to the fields it names, or above the form."""
    if not exc.fields:
        form.add_error(None, exc.message)
        return
    for name, messages in exc.fields.items():
        field = _DOMAIN_FIELDS.get(name, name)
        target = field if field in form.fields else None
        for message in messages:
            form.add_error(target, message)


class TrackForm(PortalForm):
    number = TextField(
        label=_("Service number"),
        max_length=64,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "placeholder": "SR-20260101-0001",
            }
        ),
        help_text=_("It is on your receipt and in our messages, for example SR-20260101-0001."),
    )
    contact = TextField(
        label=_("Phone number or email"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "on"}),
        help_text=_("The one you gave when you reported the problem."),
    )

"""Forms of the staff console. They check the shape of the input; the services check the rules."""

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Team, User
from aftersales.catalog.models import Product, Unit
from aftersales.core.errors import DomainError
from aftersales.customers.models import Customer
from aftersales.service_requests import access, selectors
from aftersales.service_requests.models import ServiceRequest
from aftersales.service_requests.transitions import Transition

SAVED_VIEW_LABELS = {
    "open": _("Open"),
    "mine": _("Mine"),
    "team": _("My teams"),
    "unassigned": _("Unassigned"),
    "at_risk": _("At risk"),
    "overdue": _("Overdue"),
    "all": _("All"),
}
# Saved views that mean something to a customer looking at their own requests.
CUSTOMER_VIEWS = ("open", "all")

ORDERING_LABELS = {
    "-received_at": _("Newest first"),
    "received_at": _("Oldest first"),
    "priority": _("Most urgent first"),
    "-priority": _("Least urgent first"),
    "resolution_due_at": _("Resolution due soonest"),
    "-resolution_due_at": _("Resolution due latest"),
    "-updated_at": _("Recently changed"),
    "updated_at": _("Longest unchanged"),
    "number": _("Number, ascending"),
    "-number": _("Number, descending"),
}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None):
        super().__init__(attrs, format="%Y-%m-%d")


class DateTimeLocalInput(forms.DateTimeInput):
    """A browser date-time picker; the value is read in the user's active time zone."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; the services check their types and count."""

    def __init__(self, *args: Any, **kwargs: Any):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        if not data:
            return []
        items = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in items]


class AssigneeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.display_name} · {obj.get_role_display()}"


def add_domain_error(
    form: forms.Form, exc: DomainError, aliases: dict[str, str] | None = None
) -> None:
    """Show a service's refusal on the form: next to the fields it names, else on top."""
    aliases = aliases or {}
    if not exc.fields:
        form.add_error(None, exc.message)
        return
    for name, messages in exc.fields.items():
        field = aliases.get(name, name)
        for message in messages:
            form.add_error(field if field in form.fields else None, message)


def form_error(form: forms.Form) -> DomainError:
    """A form's errors in the shape the services use, so both are shown the same way."""
    fields = {name: [str(m) for m in messages] for name, messages in form.errors.items()}
    return DomainError(str(_("Some fields are not valid.")), fields=fields)


class RequestListQuery(forms.Form):
    """What the list shows besides the filters: the saved view, the search and the sort."""

    view = forms.ChoiceField(
        choices=[(name, SAVED_VIEW_LABELS[name]) for name in selectors.SAVED_VIEWS],
        required=False,
    )
    search = forms.CharField(label=_("Search"), max_length=200, required=False)
    # The default sort (newest first) comes first, so a form sent unchanged keeps it.
    ordering = forms.ChoiceField(
        label=_("Sort"),
        choices=[
            (key, label) for key, label in ORDERING_LABELS.items() if key in selectors.ORDERINGS
        ]
        + [(key, key) for key in selectors.ORDERINGS if key not in ORDERING_LABELS],
        required=False,
    )


def _assignee_field() -> forms.Field:
    # By username, as in the API, so a shared link or a script can name the person.
    return AssigneeChoiceField(
        label=_("Assignee"),
        queryset=selectors.assignee_candidates(),
        to_field_name="username",
        required=False,
    )


def _team_field() -> forms.Field:
    return forms.ModelChoiceField(
        label=_("Team"),
        queryset=Team.objects.all(),
        required=False,
        empty_label=_("The assignee's team"),
    )


def _text_field(label: Any, max_length: int) -> forms.Field:
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


# What each `Transition.needs` entry asks for; whether it is required is the service's rule.
NEED_FIELDS = {
    "assignee": _assignee_field,
    "reason": lambda: _text_field(_("Reason"), 2000),
    "note": lambda: _text_field(_("Note"), 2000),
    "resolution": lambda: _text_field(_("How it was resolved"), 20000),
    "scheduled_for": lambda: forms.DateTimeField(
        label=_("Visit at"), required=False, widget=DateTimeLocalInput()
    ),
}


class ActionForm(forms.Form):
    """One lifecycle action: the inputs its transition needs and the version it was shown at."""

    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)

    def __init__(self, transition: Transition, *args: Any, **kwargs: Any):
        kwargs.setdefault("auto_id", f"act-{transition.name}-%s")
        super().__init__(*args, **kwargs)
        self.transition = transition
        for need in transition.needs:
            self.fields[need] = NEED_FIELDS[need]()
            if need == "assignee":
                self.fields["team"] = _team_field()

    @classmethod
    def for_request(cls, transition: Transition, request: ServiceRequest) -> "ActionForm":
        """The form as shown on the request: its version, and who has it now."""
        initial: dict[str, Any] = {"version": request.version}
        if "assignee" in transition.needs:
            initial["assignee"] = request.assignee.username if request.assignee else None
            initial["team"] = request.team_id
        return cls(transition, initial=initial)

    def action_data(self) -> dict[str, Any]:
        names = [*self.transition.needs, *(["team"] if "assignee" in self.transition.needs else [])]
        return {name: self.cleaned_data.get(name) for name in names}


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Message"), max_length=20000, widget=forms.Textarea(attrs={"rows": 4})
    )
    is_internal = forms.BooleanField(
        label=_("Internal note (the customer does not see it)"), required=False
    )
    attachments = MultipleFileField(label=_("Attachments"))

    def __init__(self, *args: Any, public: bool, internal: bool, **kwargs: Any):
        kwargs.setdefault("auto_id", "comment-%s")
        super().__init__(*args, **kwargs)
        # Only those who may write both kinds choose; the others write the one they may.
        self.forced_internal = internal and not public
        if not (public and internal):
            del self.fields["is_internal"]

    @property
    def internal(self) -> bool:
        return self.forced_internal or bool(self.cleaned_data.get("is_internal"))


CLASSIFICATION_FIELDS = ["title", "kind", "category", "impact", "urgency", "team", "description"]
# What a closed or cancelled request still lets staff correct (services.service_request_update).
CLOSED_EDITABLE = {"title", "description", "category"}


class ClassificationForm(forms.ModelForm):
    """Only the fields that differ from the request as it was shown are sent to the service."""

    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)

    class Meta:
        model = ServiceRequest
        fields = CLASSIFICATION_FIELDS
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args: Any, request: ServiceRequest, **kwargs: Any):
        kwargs.setdefault("auto_id", "edit-%s")
        initial = forms.model_to_dict(request, fields=CLASSIFICATION_FIELDS)
        kwargs["initial"] = initial | {"version": request.version} | kwargs.get("initial", {})
        super().__init__(*args, **kwargs)
        if not request.is_open:
            for name in set(CLASSIFICATION_FIELDS) - CLOSED_EDITABLE:
                self.fields[name].disabled = True

    def changes(self) -> dict[str, Any]:
        return {
            name: self.cleaned_data[name] for name in self.changed_data if name in self.Meta.fields
        }


INTAKE_FIELDS = [
    "title",
    "description",
    "kind",
    "category",
    "impact",
    "urgency",
    "channel",
    "received_at",
    "product",
    "serial_number",
    "batch_number",
    "production_date",
    "purchase_date",
    "purchase_channel",
    "occurred_at",
    "location",
    "address",
]
# Where the services' field names land on this form.
INTAKE_ALIASES = {
    "customer": "customer_name",
    "customer.name": "customer_name",
    "customer.phone": "phone",
    "customer.email": "customer_email",
    "contact_name": "customer_name",
    "contact_phone": "phone",
    "contact_email": "customer_email",
}


class NewRequestForm(forms.ModelForm):
    """A request taken on the phone: the caller found by phone number, or a new customer."""

    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    customer = forms.ModelChoiceField(
        label=_("Customer"), queryset=Customer.objects.none(), required=False
    )
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none(), required=False)
    customer_name = forms.CharField(label=_("Customer name"), max_length=200, required=False)
    customer_email = forms.EmailField(label=_("Customer email"), required=False)
    attachments = MultipleFileField(label=_("Photos, videos or documents"))

    class Meta:
        model = ServiceRequest
        fields = INTAKE_FIELDS
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "received_at": DateTimeLocalInput(),
            "occurred_at": DateTimeLocalInput(),
            "production_date": DateInput(),
            "purchase_date": DateInput(),
        }
        help_texts = {
            "received_at": _("Leave as is for a call taking place now."),
            "serial_number": _("A known serial number fills in the product, batch and dates."),
        }

    def __init__(self, *args: Any, user: User, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = access.customers_visible_to(user)
        self.fields["unit"].queryset = access.units_visible_to(user).select_related("product")
        self.fields["product"].queryset = Product.objects.filter(is_active=True)
        self.fields["received_at"].required = False
        self.fields["received_at"].initial = timezone.now
        self.fields["channel"].initial = ServiceRequest.Channel.PHONE
        self.fields["phone"].widget.attrs.update({"type": "tel", "autocomplete": "off"})

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        customer, unit = data.get("customer"), data.get("unit")
        if unit is not None and unit.customer_id is not None:
            if customer is None:
                data["customer"] = customer = unit.customer
            elif unit.customer_id != customer.pk:
                self.add_error("unit", _("This unit belongs to another customer."))
        if customer is None and not (data.get("phone") or data.get("customer_email")):
            self.add_error(
                "phone",
                _("Give the caller's phone number or email, or choose a customer found by phone."),
            )
        return data

    def new_customer(self) -> dict[str, str]:
        return {
            "name": self.cleaned_data["customer_name"],
            "phone": self.cleaned_data["phone"],
            "email": self.cleaned_data["customer_email"],
        }

    def request_data(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in INTAKE_FIELDS}
        if data["received_at"] is None:
            del data["received_at"]
        if self.cleaned_data["unit"] is not None:
            data["unit"] = self.cleaned_data["unit"]
        if self.cleaned_data["customer"] is None:
            # What the caller said, kept as said even when an existing record matched.
            data["contact_name"] = self.cleaned_data["customer_name"]
            data["contact_phone"] = self.cleaned_data["phone"]
            data["contact_email"] = self.cleaned_data["customer_email"]
        return data

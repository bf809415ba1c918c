"""Forms of the repair-records card, the unit history and the "was it fixed?" page. They
check the shape of the input; the services check the rules (and name the fields at fault)."""

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.parts.models import Part, StockReservation, Warehouse
from aftersales.portal.forms import PortalForm
from aftersales.repair_records import selectors
from aftersales.repair_records.models import (
    MAX_LABOUR_MINUTES,
    MAX_PART_QUANTITY,
    PartUsed,
    RepairRecord,
)
from aftersales.service_requests import selectors as request_selectors
from aftersales.service_requests.forms import (
    DateTimeLocalInput,
    MultipleFileField,
    MultipleFileInput,
)
from aftersales.service_requests.models import ServiceRequest

OUTSIDE = "outside"
ANSWERS = [("fixed", _("Yes, it is fixed")), ("not_fixed", _("No, it is not fixed"))]


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.display_name} · {obj.get_role_display()}"


class PartChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Part) -> str:
        return f"{obj.part_number} · {obj.name}"


class RecordForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    work_done = forms.CharField(
        label=_("Work done"), max_length=20000, widget=forms.Textarea({"rows": 3})
    )
    started_at = forms.DateTimeField(label=_("Started"), widget=DateTimeLocalInput())
    finished_at = forms.DateTimeField(
        label=_("Finished"), widget=DateTimeLocalInput(), required=False
    )
    labour_minutes = forms.IntegerField(
        label=_("Labour (minutes)"),
        min_value=0,
        max_value=MAX_LABOUR_MINUTES,
        required=False,
        help_text=_("Leave empty to count the time between start and finish."),
    )
    technicians = PeopleChoiceField(
        label=_("Technicians"),
        queryset=None,  # type: ignore[arg-type]
        required=False,
        help_text=_("Leave empty when you did the work yourself."),
    )
    test_outcome = forms.ChoiceField(
        label=_("Test outcome"), choices=RepairRecord.TestOutcome.choices
    )
    test_result = forms.CharField(
        label=_("Test result"),
        max_length=5000,
        required=False,
        widget=forms.Textarea({"rows": 2}),
        help_text=_("What was tested, and what it showed."),
    )
    photos = MultipleFileField(
        label=_("Photos or videos"),
        widget=MultipleFileInput(attrs={"accept": "image/*,video/*"}),
    )

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["technicians"].queryset = request_selectors.assignee_candidates()
        if editing:
            del self.fields["photos"]

    @classmethod
    def for_new(cls) -> "RecordForm":
        # The finish is usually now; the start is the technician's to say (labour follows).
        now = timezone.localtime().replace(second=0, microsecond=0)
        return cls(prefix="record", initial={"finished_at": now})

    @classmethod
    def for_record(cls, record: RepairRecord) -> "RecordForm":
        return cls(
            prefix=f"edit-{record.pk}",
            editing=True,
            initial={
                "version": record.version,
                "work_done": record.work_done,
                "started_at": timezone.localtime(record.started_at),
                "finished_at": timezone.localtime(record.finished_at)
                if record.finished_at
                else None,
                "labour_minutes": record.labour_minutes,
                "technicians": [p.pk for p in record.technicians.all()],
                "test_outcome": record.test_outcome,
                "test_result": record.test_result,
            },
        )

    def record_data(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if k not in {"version", "photos"}}
        if not data.get("technicians"):
            data.pop("technicians", None)  # the writer, by default
        else:
            data["technicians"] = list(data["technicians"])
        return data


def source_choices(request: ServiceRequest, user: User) -> list[tuple[str, str]]:
    """Where a part came from: the request's reservations, a warehouse one may take from
    (a technician's own van), or outside our stock."""
    reserved = [
        (
            f"reservation:{reservation.pk}",
            str(
                _("Reserved: %(part)s × %(quantity)d in %(warehouse)s")
                % {
                    "part": reservation.part.part_number,
                    "quantity": reservation.quantity,
                    "warehouse": reservation.warehouse.code,
                }
            ),
        )
        for reservation in selectors.active_reservations(request)
    ]
    stocked = [
        (
            f"warehouse:{warehouse.pk}",
            str(_("From stock: %(warehouse)s") % {"warehouse": warehouse}),
        )
        for warehouse in selectors.warehouses_to_take_from(user)
    ]
    choices = reserved + stocked
    choices.append((OUTSIDE, str(PartUsed.Source.OUTSIDE.label)))
    return choices


class PartForm(forms.Form):
    source = forms.ChoiceField(label=_("From"))
    part = PartChoiceField(
        label=_("Catalogue part"),
        queryset=Part.objects.filter(is_active=True).order_by("part_number"),
        required=False,
        help_text=_("Not needed for a reservation: it holds its part."),
    )
    part_number = forms.CharField(
        label=_("Part number (not in the catalogue)"), max_length=50, required=False
    )
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    quantity = forms.IntegerField(
        label=_("Quantity"),
        min_value=1,
        max_value=MAX_PART_QUANTITY,
        required=False,
        help_text=_("Leave empty for all that the reservation holds, or one."),
    )
    old_serial = forms.CharField(label=_("Serial number removed"), max_length=100, required=False)
    new_serial = forms.CharField(label=_("Serial number fitted"), max_length=100, required=False)

    def __init__(
        self,
        *args: Any,
        request: ServiceRequest,
        user: User,
        choices: list[tuple[str, str]] | None = None,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = (
            choices if choices is not None else source_choices(request, user)
        )

    def part_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        kind, _sep, pk = data.pop("source").partition(":")
        if kind == "reservation":
            data["reservation"] = StockReservation.objects.filter(pk=int(pk)).first()
        elif kind == "warehouse":
            data["warehouse"] = Warehouse.objects.filter(pk=int(pk)).first()
        if data.get("part") is None:
            data.pop("part", None)
        return data


class PhotosForm(forms.Form):
    photos = MultipleFileField(
        label=_("Photos or videos"),
        required=True,
        widget=MultipleFileInput(attrs={"accept": "image/*,video/*"}),
    )


class ConfirmationForm(forms.Form):
    """The customer's answer: given by themself (signed in), or taken by phone by staff."""

    answer = forms.ChoiceField(label=_("Is it fixed?"), choices=ANSWERS, widget=forms.RadioSelect)
    comment = forms.CharField(
        label=_("Comment"),
        max_length=2000,
        required=False,
        widget=forms.Textarea({"rows": 2}),
        help_text=_("Required when it is not fixed: what is still wrong."),
    )
    customer_name = forms.CharField(
        label=_("Who answered"),
        max_length=200,
        required=False,
        help_text=_("Leave empty for the request's contact."),
    )

    def __init__(self, *args: Any, by_phone: bool, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if not by_phone:
            del self.fields["customer_name"]

    @property
    def satisfied(self) -> bool:
        return self.cleaned_data["answer"] == "fixed"


class ContactProofForm(PortalForm):
    """The phone number or email the request was filed with, as tracking asks for it."""

    contact = forms.CharField(
        label=_("Phone number or email"),
        max_length=254,
        help_text=_("The one you gave when you reported the problem."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class PortalAnswerForm(ContactProofForm):
    answer = forms.ChoiceField(choices=ANSWERS)
    comment = forms.CharField(max_length=2000, required=False)

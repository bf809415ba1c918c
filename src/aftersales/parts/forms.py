"""Forms of the parts pages. They check the shape of the input; the services check the rules."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.core.errors import DomainError
from aftersales.core.text import validate_clean_text
from aftersales.parts.models import MAX_ON_HAND, MAX_QUANTITY, Part, Warehouse
from aftersales.parts.services import NOTE_MAX


class PartSearchForm(forms.Form):
    search = forms.CharField(
        label=_("Search"), max_length=100, required=False, validators=[validate_clean_text]
    )


def _part_field(queryset: Any) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(label=_("Part"), queryset=queryset)


def _quantity_field() -> forms.IntegerField:
    return forms.IntegerField(label=_("Quantity"), min_value=1, max_value=MAX_QUANTITY)


def _note_field(*, label: Any = None, required: bool = False) -> forms.CharField:
    return forms.CharField(
        label=label or _("Note"),
        max_length=NOTE_MAX,
        required=required,
        validators=[validate_clean_text],
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReceiveForm(forms.Form):
    part = _part_field(Part.objects.filter(is_active=True))
    quantity = _quantity_field()
    note = _note_field()


class AdjustForm(forms.Form):
    part = _part_field(Part.objects.all())
    counted = forms.IntegerField(
        label=_("Counted quantity"),
        min_value=0,
        max_value=MAX_ON_HAND,
        help_text=_("What is on the shelf now; the difference is recorded."),
    )
    reason = _note_field(label=_("Reason"), required=True)


class TransferForm(forms.Form):
    part = _part_field(Part.objects.filter(is_active=True))
    destination = forms.ModelChoiceField(label=_("To warehouse"), queryset=Warehouse.objects.none())
    quantity = _quantity_field()
    note = _note_field()

    def __init__(self, *args: Any, source: Warehouse, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["destination"].queryset = Warehouse.objects.filter(  # type: ignore[attr-defined]
            is_active=True
        ).exclude(pk=source.pk)


def add_domain_error(form: forms.Form, exc: DomainError) -> None:
    """Show a service's refusal next to the fields it names, else above the form."""
    if not exc.fields:
        form.add_error(None, exc.message)
        return
    for name, messages in exc.fields.items():
        for message in messages:
            form.add_error(name if name in form.fields else None, message)

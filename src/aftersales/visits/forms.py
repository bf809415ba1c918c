"""Forms of the visit pages. They check the shape of the input; the services check the rules.

A window is typed as a date and two times, read in the user's active time zone.
"""

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from aftersales.accounts.models import User
from aftersales.core.errors import DomainError
from aftersales.core.text import validate_clean_text
from aftersales.visits import services

# Where a service's refusal of a field is shown on these forms.
ALIASES = {
    "window_start": "start",
    "window_end": "end",
    "service_request": "number",
}
DURATIONS = [(60, _("1 hour")), (120, _("2 hours")), (180, _("3 hours")), (240, _("4 hours"))]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None):
        super().__init__(attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None):
        super().__init__(attrs, format="%H:%M")


def add_domain_error(form: forms.Form, exc: DomainError) -> None:
    """Show a service's refusal next to the fields it names, else on top of the form."""
    if not exc.fields:
        form.add_error(None, exc.message)
        return
    for name, messages in exc.fields.items():
        field = ALIASES.get(name, name)
        for message in messages:
            form.add_error(field if field in form.fields else None, message)


def _text(label: Any, max_length: int, *, required: bool = False, rows: int = 3) -> forms.Field:
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        validators=[validate_clean_text],
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class _WindowForm(forms.Form):
    """Technicians and a window on one day."""

    technicians = forms.MultipleChoiceField(
        label=_("Technicians"), widget=forms.CheckboxSelectMultiple
    )
    date = forms.DateField(label=_("Date"), widget=DateInput())
    start = forms.TimeField(label=pgettext_lazy("start of a period", "From"), widget=TimeInput())
    end = forms.TimeField(label=_("Until"), widget=TimeInput())
    address = forms.CharField(
        label=_("Address"),
        max_length=300,
        required=False,
        validators=[validate_clean_text],
        help_text=_("Left empty: the request's address."),
    )
    notes = _text(_("Notes for the technicians"), services.TEXT_MAX)
    outside_hours = forms.BooleanField(
        label=_("Book outside working hours or during leave on purpose"), required=False
    )

    def __init__(self, *args: Any, candidates: list[User], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.candidates = {person.username: person for person in candidates}
        self.fields["technicians"].choices = [
            (person.username, f"{person.display_name} · {person.get_role_display()}")
            for person in candidates
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        day, start, end = data.get("date"), data.get("start"), data.get("end")
        if day and start and end:
            zone = timezone.get_current_timezone()
            data["window_start"] = datetime.datetime.combine(day, start, tzinfo=zone)
            data["window_end"] = datetime.datetime.combine(day, end, tzinfo=zone)
            if end <= start:
                self.add_error("end", _("The window must end after it starts."))
        return data

    def chosen(self) -> list[User]:
        return [self.candidates[name] for name in self.cleaned_data.get("technicians", [])]


class BookingForm(_WindowForm):
    number = forms.CharField(
        label=_("Service number"), max_length=40, validators=[validate_clean_text]
    )
    field_order = ["number", "technicians", "date", "start", "end", "address", "notes"]


class RescheduleForm(_WindowForm):
    reason = _text(_("Why it moves"), services.TEXT_MAX, required=True)
    field_order = ["technicians", "date", "start", "end", "reason", "address", "notes"]


class SuggestionQuery(forms.Form):
    """What the booking page suggests windows for (sent with GET, so it works without
    JavaScript): a request, technicians, a day and a length."""

    number = forms.CharField(max_length=40, required=False, validators=[validate_clean_text])
    technicians = forms.MultipleChoiceField(required=False)
    date = forms.DateField(required=False)
    duration = forms.TypedChoiceField(
        label=_("Length"), choices=DURATIONS, coerce=int, required=False, empty_value=120
    )

    def __init__(self, *args: Any, candidates: list[User], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["technicians"].choices = [(p.username, p.username) for p in candidates]


class LeaveForm(forms.Form):
    """An absence of one technician, from a day and time to a day and time."""

    technician = forms.ChoiceField(label=_("Technician"))
    start_date = forms.DateField(label=_("First day"), widget=DateInput())
    start_time = forms.TimeField(
        label=pgettext_lazy("start of a period", "From"), widget=TimeInput(), initial="00:00"
    )
    end_date = forms.DateField(label=_("Last day"), widget=DateInput())
    end_time = forms.TimeField(label=_("Until"), widget=TimeInput(), initial="23:59")
    reason = forms.CharField(
        label=_("Reason"), max_length=200, required=False, validators=[validate_clean_text]
    )

    def __init__(self, *args: Any, candidates: list[User], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.candidates = {person.username: person for person in candidates}
        self.fields["technician"].choices = [
            (person.username, person.display_name) for person in candidates
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        zone = timezone.get_current_timezone()
        parts = [data.get(name) for name in ("start_date", "start_time", "end_date", "end_time")]
        if all(part is not None for part in parts):
            data["start"] = datetime.datetime.combine(parts[0], parts[1], tzinfo=zone)
            data["end"] = datetime.datetime.combine(parts[2], parts[3], tzinfo=zone)
        return data

    def chosen(self) -> User:
        return self.candidates[self.cleaned_data["technician"]]


class ReasonForm(forms.Form):
    reason = _text(_("Reason"), services.TEXT_MAX, required=True, rows=2)


class NoteForm(forms.Form):
    note = _text(_("What did you try?"), services.TEXT_MAX, required=True, rows=2)


class RecordForm(forms.Form):
    body = _text(_("What you did or found"), services.TEXT_MAX, required=True)


class FinishForm(forms.Form):
    summary = _text(_("What was done (optional)"), services.TEXT_MAX, rows=2)


class StartForm(forms.Form):
    pass


class DayQuery(forms.Form):
    date = forms.DateField(required=False)
    team = forms.IntegerField(required=False, min_value=1)

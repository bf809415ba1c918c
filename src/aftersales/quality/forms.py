from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Team, User
from aftersales.catalog.models import Product
from aftersales.core.text import validate_clean_text
from aftersales.quality.models import ProblemAction
from aftersales.quality.services import ACTION_MAX, OWNER_KINDS, TEXT_MAX, TITLE_MAX


def owner_teams():  # type: ignore[no-untyped-def]
    return Team.objects.filter(kind__in=OWNER_KINDS).order_by("name")


def action_owners():  # type: ignore[no-untyped-def]
    return (
        User.objects.filter(is_active=True)
        .exclude(role__in=[User.Role.CUSTOMER, User.Role.ANALYST])
        .order_by("username")
    )


class ProblemForm(forms.Form):
    title = forms.CharField(
        label=_("Title"), max_length=TITLE_MAX, validators=[validate_clean_text]
    )
    symptom = forms.CharField(
        label=_("Symptom"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        validators=[validate_clean_text],
    )
    team = forms.ModelChoiceField(label=_("Owner department"), queryset=Team.objects.none())
    products = forms.ModelMultipleChoiceField(
        label=_("Product models"),
        queryset=Product.objects.order_by("model"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    batches = forms.CharField(
        label=_("Batch numbers"),
        help_text=_("One per line, or separated by commas."),
        required=False,
        max_length=6000,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[validate_clean_text],
    )
    root_cause = forms.CharField(
        label=_("Root cause"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[validate_clean_text],
    )

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = owner_teams()


class RootCauseForm(forms.Form):
    root_cause = forms.CharField(
        label=_("Root cause"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[validate_clean_text],
    )


class ActionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ProblemAction.Kind.choices)
    description = forms.CharField(
        label=_("What is to be done"),
        max_length=ACTION_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        validators=[validate_clean_text],
    )
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none())
    due_on = forms.DateField(label=_("Due on"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = action_owners()


class ActionDoneForm(forms.Form):
    result = forms.CharField(
        label=_("What was done"),
        max_length=ACTION_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        validators=[validate_clean_text],
    )


class LinkForm(forms.Form):
    service_request = forms.CharField(
        label=_("Service number"), max_length=40, validators=[validate_clean_text]
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        validators=[validate_clean_text],
    )


class SpikeOpenForm(forms.Form):
    product = forms.ModelChoiceField(queryset=Product.objects.all())
    batch_number = forms.CharField(max_length=100, validators=[validate_clean_text])


class UsagePeriodForm(forms.Form):
    days = forms.IntegerField(min_value=1, max_value=366, required=False)

from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.tasks.services import REFERENCE_MAX, TEXT_MAX


class FinishForm(forms.Form):
    outcome = forms.CharField(label=_("What was done"), max_length=TEXT_MAX, widget=forms.Textarea)
    reference = forms.CharField(
        label=_("Reference (tracking or transaction number)"),
        max_length=REFERENCE_MAX,
        required=False,
    )


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=TEXT_MAX, widget=forms.Textarea)


class AssignForm(forms.Form):
    assignee = forms.CharField(label=_("Give to"), required=False, max_length=150)

import datetime

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from aftersales.reports import content
from aftersales.reports.models import LANGUAGES


def language_choices() -> list[tuple[str, str]]:
    names = dict(settings.LANGUAGES)
    return [(code, names.get(code, code)) for code in LANGUAGES]


class GenerateForm(forms.Form):
    month = forms.CharField(label=_("Month"), max_length=7, help_text=_("YYYY-MM"))
    language = forms.ChoiceField(label=_("Language"), choices=language_choices)

    def clean_month(self) -> datetime.date:
        month = content.parse_month(self.cleaned_data["month"])
        if month is None:
            raise forms.ValidationError(_("Write the month as YYYY-MM."))
        return month

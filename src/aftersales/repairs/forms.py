"""Forms of the plan card and the consent page. They check the shape of the input; the
services check the rules (and name the fields at fault)."""

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.parts.models import MAX_QUANTITY, Part, Warehouse
from aftersales.repairs.models import MAX_MINUTES, Diagnosis, FeeLine, SolutionPlan, Warranty
from aftersales.service_requests import selectors as request_selectors

_TEXTAREA = {"rows": 3}


class PartChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Part) -> str:
        return f"{obj.part_number} · {obj.name}"


class PartsChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Part) -> str:
        return f"{obj.part_number} · {obj.name}"


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.display_name} · {obj.get_role_display()}"


def _active_parts() -> Any:
    return Part.objects.filter(is_active=True).order_by("part_number")


class DiagnosisForm(forms.Form):
    cause = forms.CharField(label=_("Cause"), max_length=5000, widget=forms.Textarea(_TEXTAREA))
    severity = forms.ChoiceField(label=_("Severity"), choices=Diagnosis.Severity.choices)
    handling = forms.ChoiceField(label=_("Where"), choices=Diagnosis.Handling.choices)
    parts_needed = forms.CharField(
        label=_("Parts needed"),
        max_length=2000,
        required=False,
        widget=forms.Textarea({"rows": 2}),
    )
    parts = PartsChoiceField(label=_("Catalogue parts"), queryset=_active_parts(), required=False)
    expected_minutes = forms.IntegerField(
        label=_("Expected duration (minutes)"), min_value=1, max_value=MAX_MINUTES
    )

    @classmethod
    def for_diagnosis(cls, diagnosis: Diagnosis | None) -> "DiagnosisForm":
        if diagnosis is None:
            return cls(prefix="diagnosis")
        return cls(
            prefix="diagnosis",
            initial={
                "cause": diagnosis.cause,
                "severity": diagnosis.severity,
                "handling": diagnosis.handling,
                "parts_needed": diagnosis.parts_needed,
                "parts": [p.pk for p in diagnosis.parts.all()],
                "expected_minutes": diagnosis.expected_minutes,
            },
        )


class PlanForm(forms.Form):
    """The plan's own fields; its parts and fee lines come in the formsets below."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    summary = forms.CharField(label=_("Summary"), max_length=5000, widget=forms.Textarea(_TEXTAREA))
    steps = forms.CharField(
        label=_("Steps, one per line"), max_length=20000, widget=forms.Textarea({"rows": 4})
    )
    tools = forms.CharField(label=_("Tools"), max_length=2000, required=False)
    people = PeopleChoiceField(label=_("People"), queryset=None, required=False)  # type: ignore[arg-type]
    estimated_minutes = forms.IntegerField(
        label=_("Estimated time (minutes)"), min_value=1, max_value=MAX_MINUTES
    )
    includes_replacement = forms.BooleanField(label=_("Includes a replacement"), required=False)
    includes_refund = forms.BooleanField(label=_("Includes a refund"), required=False)
    includes_compensation = forms.BooleanField(label=_("Includes compensation"), required=False)
    needs_visit = forms.BooleanField(label=_("Needs a visit"), required=False)
    warranty = forms.ChoiceField(
        label=_("Warranty (no purchase date known)"),
        choices=[
            ("unknown", _("Not decided yet")),
            ("in", Warranty.IN.label),
            ("out", Warranty.OUT.label),
        ],
        required=False,
    )
    warranty_reason = forms.CharField(
        label=_("Why"), max_length=1000, required=False, widget=forms.Textarea({"rows": 2})
    )

    def __init__(self, *args: Any, warranty_known: bool, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "plan")
        super().__init__(*args, **kwargs)
        self.fields["people"].queryset = request_selectors.assignee_candidates()
        if warranty_known:
            del self.fields["warranty"]
            del self.fields["warranty_reason"]

    @classmethod
    def for_plan(cls, plan: SolutionPlan) -> "PlanForm":
        return cls(
            warranty_known=plan.warranty_basis != Warranty.UNKNOWN,
            initial={
                "version": plan.version,
                "summary": plan.summary,
                "steps": "\n".join(step.text for step in plan.steps.all()),
                "tools": plan.tools,
                "people": [p.pk for p in plan.people.all()],
                "estimated_minutes": plan.estimated_minutes,
                "includes_replacement": plan.includes_replacement,
                "includes_refund": plan.includes_refund,
                "includes_compensation": plan.includes_compensation,
                "needs_visit": plan.needs_visit,
                "warranty": plan.warranty,
                "warranty_reason": plan.warranty_reason,
            },
        )

    def plan_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        data["steps"] = [line.strip() for line in data["steps"].splitlines() if line.strip()]
        data["people"] = list(data["people"])
        if "warranty" in data and not data["warranty"]:
            data.pop("warranty")
        return data


class PlanPartForm(forms.Form):
    part = PartChoiceField(label=_("Part"), queryset=_active_parts(), required=False)
    warehouse = forms.ModelChoiceField(
        label=_("Reserve from"),
        queryset=Warehouse.objects.filter(is_active=True).order_by("kind", "code"),
        required=False,
    )
    quantity = forms.IntegerField(
        label=_("Quantity"), min_value=1, max_value=MAX_QUANTITY, required=False
    )

    def item(self) -> dict[str, Any] | None:
        data = self.cleaned_data
        if not data or data.get("part") is None:
            return None
        return {
            "part": data["part"],
            "warehouse": data.get("warehouse"),
            "quantity": data.get("quantity"),
        }


class FeeLineForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=FeeLine.Kind.choices, required=False)
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    quantity = forms.DecimalField(
        label=_("Quantity"),
        max_digits=9,
        decimal_places=2,
        min_value=Decimal("0.01"),
        required=False,
    )
    unit_price = forms.DecimalField(
        label=_("Unit price"), max_digits=12, decimal_places=2, min_value=0, required=False
    )

    def item(self) -> dict[str, Any] | None:
        data = self.cleaned_data
        if not data or not (data.get("description") or data.get("unit_price") is not None):
            return None
        return {
            "kind": data.get("kind"),
            "description": data.get("description"),
            "quantity": data.get("quantity") or Decimal(1),
            "unit_price": data.get("unit_price"),
        }


PlanPartFormSet = forms.formset_factory(PlanPartForm, extra=2, max_num=50, absolute_max=60)
FeeLineFormSet = forms.formset_factory(FeeLineForm, extra=3, max_num=100, absolute_max=110)


def part_formset(plan: SolutionPlan | None = None, data: Any = None) -> Any:
    initial = (
        [
            {"part": p.part_id, "warehouse": p.warehouse_id, "quantity": p.quantity}
            for p in plan.parts.all()
        ]
        if plan
        else []
    )
    return PlanPartFormSet(data, initial=None if data is not None else initial, prefix="parts")


def fee_formset(plan: SolutionPlan | None = None, data: Any = None) -> Any:
    initial = (
        [
            {
                "kind": f.kind,
                "description": f.description,
                "quantity": f.quantity,
                "unit_price": f.unit_price,
            }
            for f in plan.fee_lines.all()
        ]
        if plan
        else []
    )
    return FeeLineFormSet(data, initial=None if data is not None else initial, prefix="fees")


class DecisionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    comment = forms.CharField(
        label=_("Comment"), max_length=2000, required=False, widget=forms.Textarea({"rows": 2})
    )


class ConsentRecordForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    answer = forms.ChoiceField(
        label=_("The customer"),
        choices=[("agree", _("agrees")), ("decline", _("declines"))],
        widget=forms.RadioSelect,
    )
    statement = forms.CharField(
        label=_("What the customer said"), max_length=2000, widget=forms.Textarea({"rows": 2})
    )


class ContactProofForm(forms.Form):
    """The phone number or email the request was filed with, as tracking asks for it."""

    contact = forms.CharField(
        label=_("Phone number or email"),
        max_length=254,
        help_text=_("The one you gave when you reported the problem."),
    )


class ConsentAnswerForm(ContactProofForm):
    answer = forms.ChoiceField(choices=[("agree", "agree"), ("decline", "decline")])
    reason = forms.CharField(max_length=2000, required=False)

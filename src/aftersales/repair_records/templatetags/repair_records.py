"""The "Repair records" card on a request's page, and the "Is it fixed?" box on the portal's
tracking page.

Each computes its own context here, so the pages include them with one line and the
service_requests and portal apps need to know nothing of this one.
"""

from typing import Any

from django import template
from django.urls import reverse

from aftersales.repair_records import access, forms, selectors, tokens
from aftersales.service_requests import access as request_access
from aftersales.service_requests.models import ServiceRequest

register = template.Library()


def _share_choices(forms_: list[Any], name: str) -> None:
    """Read a select's options once for all the card's forms (one query, not one per form)."""
    if not forms_:
        return
    options = list(forms_[0].fields[name].choices)
    for form in forms_:
        form.fields[name].choices = options


@register.simple_tag
def confirmation_token_for(sr: ServiceRequest) -> str:
    """A link token for the customer's answer, when the request waits for one."""
    if not selectors.awaits_confirmation(sr):
        return ""
    return tokens.confirmation_token(sr.pk, sr.reopen_count)


@register.simple_tag(takes_context=True)
def repair_records_card(context: template.Context) -> dict[str, Any]:
    """What the "Repair records" card shows this user on request `sr`."""
    sr: ServiceRequest = context["sr"]
    user = context["request"].user
    staff = access.sees_staff_details(user)
    records = list(selectors.records_for(sr))
    repeat = selectors.repeat_info(sr)
    visible_earlier = set(
        request_access.visible_to(user)
        .filter(pk__in=[r.pk for r in repeat.earlier])
        .values_list("pk", flat=True)
    )
    awaiting = selectors.awaits_confirmation(sr)
    writes = access.can_write(user, sr) and access.accepts_records(sr)
    card: dict[str, Any] = {
        "staff": staff,
        "records": records,
        "repeat": repeat,
        "earlier": [r for r in repeat.earlier if r.pk in visible_earlier],
        "confirmations": list(selectors.confirmations_for(sr)),
        "current_confirmation": selectors.confirmation_current(sr),
        "awaiting": awaiting,
        "can_write": writes,
        "unit_history_url": reverse("unit_history:history", args=[sr.unit.serial_number])
        if sr.unit_id
        else "",
    }
    if writes:
        card["new_form"] = forms.RecordForm.for_new()
        choices = forms.source_choices(sr, user)  # the same for every record: read once
        card["part_forms"] = {
            record.pk: forms.PartForm(
                prefix=f"part-{record.pk}", request=sr, user=user, choices=choices
            )
            for record in records
        }
        card["photo_forms"] = {
            record.pk: forms.PhotosForm(prefix=f"photos-{record.pk}") for record in records
        }
        _share_choices(list(card["part_forms"].values()), "part")
        if sr.is_open:
            card["edit_forms"] = {
                record.pk: forms.RecordForm.for_record(record) for record in records
            }
        _share_choices([card["new_form"], *card.get("edit_forms", {}).values()], "technicians")
    if awaiting and access.can_answer_as_customer(user, sr):
        card["confirmation_form"] = forms.ConfirmationForm(prefix="confirmation", by_phone=False)
    elif awaiting and access.can_record_phone_answer(user, sr):
        card["confirmation_form"] = forms.ConfirmationForm(prefix="confirmation", by_phone=True)
        card["confirmation_by_phone"] = True
    card["rows"] = [
        {
            "record": record,
            "part_form": card.get("part_forms", {}).get(record.pk),
            "photo_form": card.get("photo_forms", {}).get(record.pk),
            "edit_form": card.get("edit_forms", {}).get(record.pk),
        }
        for record in records
    ]
    return card

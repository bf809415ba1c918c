"""Approval rules: which plans a supervisor must approve first.

- approval_rule_create, approval_rule_update: admins keep the approval rules

The rules in force (`active_rules`) and an approval reason as people read it
(`reason_text`) are here too.
"""

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from aftersales.accounts.models import User
from aftersales.core.errors import DomainError
from aftersales.repairs import access
from aftersales.repairs.models import ApprovalRule
from aftersales.repairs.services._common import MAX_UNIT_PRICE, _allowed, _decimal, _invalid, _money

RULE_FIELDS = ("name", "condition", "threshold", "is_active")


def _rule_checked(rule: ApprovalRule) -> None:
    if rule.condition == ApprovalRule.Condition.TOTAL_ABOVE:
        if rule.threshold is None:
            raise _invalid("threshold", _("Give the amount above which approval is needed."))
        rule.threshold = _decimal(
            rule.threshold, "threshold", low=Decimal(0), high=MAX_UNIT_PRICE, positive=False
        )
    elif rule.threshold is not None:
        raise _invalid("threshold", _("Only the fee rule has a threshold."))
    try:
        rule.full_clean()
    except ValidationError as exc:
        fields = exc.message_dict
        raise DomainError(next(iter(fields.values()))[0], fields=fields) from None


@transaction.atomic
def approval_rule_create(*, by: User, data: dict[str, Any]) -> ApprovalRule:
    _allowed(access.can_manage_rules(by), _("Only administrators may change approval rules."))
    rule = ApprovalRule(**{k: v for k, v in data.items() if k in RULE_FIELDS})
    _rule_checked(rule)
    rule.save()
    return rule


@transaction.atomic
def approval_rule_update(rule: ApprovalRule, *, by: User, data: dict[str, Any]) -> ApprovalRule:
    _allowed(access.can_manage_rules(by), _("Only administrators may change approval rules."))
    rule = ApprovalRule.objects.select_for_update().get(pk=rule.pk)
    for name in RULE_FIELDS:
        if name in data:
            setattr(rule, name, data[name])
    if (
        data.get("condition") not in (None, ApprovalRule.Condition.TOTAL_ABOVE)
        and "threshold" not in data
    ):
        rule.threshold = None
    _rule_checked(rule)
    rule.save()
    return rule


def active_rules() -> list[tuple[str, Decimal | None]]:
    return list(
        ApprovalRule.objects.filter(is_active=True)
        .order_by("condition", "threshold", "id")
        .values_list("condition", "threshold")
    )


def reason_text(reason: dict[str, str], currency: str) -> str:
    """An approval reason as people read it."""
    if reason.get("condition") == ApprovalRule.Condition.TOTAL_ABOVE:
        return _("the total is above %(threshold)s") % {
            "threshold": _money(Decimal(reason["threshold"]), currency)
        }
    try:
        return str(ApprovalRule.Condition(reason.get("condition")).label)
    except ValueError:
        return str(reason.get("condition"))

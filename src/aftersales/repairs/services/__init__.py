"""Use cases of diagnoses and solution plans (SPEC §2 steps 2 and 4), one module a concern.

- `diagnosis`: diagnosis_record
- `plans`: plan_create, plan_update (writing a draft: fields, warranty, steps, people,
  parts, fee lines and their totals)
- `approval`: plan_submit, plan_approve, plan_reject (deciding a plan; its parts reserved)
- `consent`: plan_consent_record, plan_consent_answer (the customer's answer, and the mail
  asking for it)
- `following`: plan_follow_request (plans kept in step with the request's lifecycle)
- `approval_rules`: approval_rule_create, approval_rule_update
- `_common`: what they share (checks, locks, history lines, releasing a plan's parts)

Callers use the package, not its modules: `from aftersales.repairs import services`, then
`services.plan_submit(...)`.

After approval a plan's parts are reserved, all or none. A plan that touches the customer
(fees, a visit, a replacement) then waits for their consent: the request goes to
`pending_customer` (the resolution clock pauses, SPEC §4) and they get a link by mail;
their agreement resumes the work (`start`), a refusal does too, with the plan declined.

Every step writes to the request's history. What the customer may see is written on the
lifecycle's events; the internal detail (rules met, comments, parts) on internal events.
Locks: the request row first (as every lifecycle action does), then the plan, so two
paths never wait for each other in opposite order.
"""

from aftersales.repairs.services._common import MAX_PARTS, MAX_UNIT_PRICE
from aftersales.repairs.services.approval import plan_approve, plan_reject, plan_submit
from aftersales.repairs.services.approval_rules import (
    RULE_FIELDS,
    active_rules,
    approval_rule_create,
    approval_rule_update,
    reason_text,
)
from aftersales.repairs.services.consent import (
    consent_link,
    plan_consent_answer,
    plan_consent_record,
)
from aftersales.repairs.services.diagnosis import diagnosis_record
from aftersales.repairs.services.following import plan_follow_request
from aftersales.repairs.services.plans import (
    MAX_FEE_LINES,
    MAX_STEPS,
    PLAN_FIELDS,
    plan_create,
    plan_update,
    received_on,
    warranty_for,
)

__all__ = [
    "MAX_FEE_LINES",
    "MAX_PARTS",
    "MAX_STEPS",
    "MAX_UNIT_PRICE",
    "PLAN_FIELDS",
    "RULE_FIELDS",
    "active_rules",
    "approval_rule_create",
    "approval_rule_update",
    "consent_link",
    "diagnosis_record",
    "plan_approve",
    "plan_consent_answer",
    "plan_consent_record",
    "plan_create",
    "plan_follow_request",
    "plan_reject",
    "plan_submit",
    "plan_update",
    "reason_text",
    "received_on",
    "warranty_for",
]

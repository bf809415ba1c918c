"""Diagnoses of a request (SPEC §2 step 2).

- diagnosis_record: a new version of the request's technical assessment
"""

from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from aftersales.accounts.models import User
from aftersales.core.errors import InvalidTransition
from aftersales.parts.models import Part
from aftersales.repairs import access
from aftersales.repairs.models import MAX_MINUTES, Diagnosis
from aftersales.repairs.services._common import MAX_PARTS, _allowed, _event, _invalid, _text, _whole
from aftersales.service_requests import transitions
from aftersales.service_requests.models import ServiceRequest


@transaction.atomic
def diagnosis_record(request: ServiceRequest, *, by: User, data: dict[str, Any]) -> Diagnosis:
    """A new version of the assessment (cause, severity, where, parts, duration) by whoever
    works the request, while it is open. Earlier versions are kept."""
    locked = transitions.lock(request, expected_version=None)
    _allowed(access.can_work(by, locked), _("You may not diagnose this request."))
    if not locked.is_open:
        raise InvalidTransition(_("The request is finished; its diagnosis is kept as it was."))
    severity = data.get("severity")
    if severity not in Diagnosis.Severity.values:
        raise _invalid("severity", _("Choose minor, major or critical."))
    handling = data.get("handling")
    if handling not in Diagnosis.Handling.values:
        raise _invalid("handling", _("Choose remotely or on site."))
    parts = list(data.get("parts") or [])
    if len(parts) > MAX_PARTS:
        raise _invalid("parts", _("At most %(limit)d parts.") % {"limit": MAX_PARTS})
    if any(not isinstance(p, Part) for p in parts):
        raise _invalid("parts", _("Choose parts from the catalogue."))
    last = locked.diagnoses.aggregate(last=Max("version"))["last"] or 0
    diagnosis = Diagnosis.objects.create(
        request=locked,
        version=last + 1,
        cause=_text(data.get("cause"), "cause", max_length=5000, required=True),
        severity=severity,
        handling=handling,
        parts_needed=_text(data.get("parts_needed"), "parts_needed", max_length=2000),
        expected_minutes=_whole(
            data.get("expected_minutes"), "expected_minutes", low=1, high=MAX_MINUTES
        ),
        written_by=by,
    )
    diagnosis.parts.set({p.pk for p in parts})
    note = _("Diagnosis (version %(version)d): %(severity)s, %(handling)s. %(cause)s") % {
        "version": diagnosis.version,
        "severity": diagnosis.get_severity_display(),
        "handling": diagnosis.get_handling_display(),
        "cause": diagnosis.cause[:300],
    }
    _event(locked, "diagnosis.recorded", note, by=by)
    return diagnosis

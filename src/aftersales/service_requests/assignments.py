"""The assignment table and the task force (SPEC §2.3–2.4).

- assignment_record: a new line of the table, ending the current one (inside the caller's
  transaction, by every path that changes who has the request)
- participant_add / participant_remove: the task force of a complex request
"""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.accounts.models import Team, User
from aftersales.core.errors import Conflict, DomainError, NotAllowed
from aftersales.service_requests import access, signals
from aftersales.service_requests.models import (
    Assignment,
    Participant,
    ServiceRequest,
    ServiceRequestEvent,
)

Method = Assignment.Method


def assignment_record(
    request: ServiceRequest,
    *,
    assignee: User | None,
    team: Team | None,
    by: User | None,
    method: str = Method.MANUAL,
    reason: str = "",
) -> Assignment:
    now = timezone.now()
    Assignment.objects.filter(request=request, ended_at__isnull=True).update(ended_at=now)
    return Assignment.objects.create(
        request=request,
        assignee=assignee,
        team=team,
        assigned_by=by,
        method=method,
        reason=reason,
        assigned_at=now,
        due_at=request.resolution_due_at,
    )


def can_manage_task_force(user: User, request: ServiceRequest) -> bool:
    """Dispatchers and the request's owner (its assignee) put the task force together."""
    return access.dispatches(user, request) or (
        user.is_authenticated and request.assignee_id == user.pk and access.works_on(user, request)
    )


@transaction.atomic
def participant_add(request: ServiceRequest, *, user: User, by: User) -> Participant:
    """Add a member of staff who can work requests; they then see and work this one.
    Raises NotAllowed, DomainError (who cannot work requests, or the owner), Conflict (twice)."""
    if not can_manage_task_force(by, request):
        raise NotAllowed(_("You may not change the task force of this request."))
    if not access.can_work_as_assignee(user):
        message = _("%(name)s cannot work on service requests.") % {"name": user.display_name}
        raise DomainError(message, fields={"user": [message]})
    if user.pk == request.assignee_id:
        message = _("%(name)s owns this request already.") % {"name": user.display_name}
        raise DomainError(message, fields={"user": [message]})
    user.__dict__.pop("_participating_cache", None)
    try:
        with transaction.atomic():
            participant = Participant.objects.create(request=request, user=user, added_by=by)
    except IntegrityError:
        raise Conflict(
            _("%(name)s is in the task force already.") % {"name": user.display_name}
        ) from None
    ServiceRequestEvent.objects.create(
        request=request,
        kind=ServiceRequestEvent.Kind.UPDATED,
        actor=by,
        note=_("Added to the task force: %(name)s") % {"name": user.display_name},
        changes={"participants": [None, user.username]},
        is_internal=True,
    )
    signals.request_changed.send(sender=ServiceRequest, request_id=request.pk)
    return participant


@transaction.atomic
def participant_remove(request: ServiceRequest, *, user: User, by: User) -> None:
    if not can_manage_task_force(by, request):
        raise NotAllowed(_("You may not change the task force of this request."))
    user.__dict__.pop("_participating_cache", None)
    deleted, _rows = Participant.objects.filter(request=request, user=user).delete()
    if not deleted:
        message = _("%(name)s is not in the task force.") % {"name": user.display_name}
        raise DomainError(message, fields={"user": [message]})
    ServiceRequestEvent.objects.create(
        request=request,
        kind=ServiceRequestEvent.Kind.UPDATED,
        actor=by,
        note=_("Left the task force: %(name)s") % {"name": user.display_name},
        changes={"participants": [user.username, None]},
        is_internal=True,
    )
    signals.request_changed.send(sender=ServiceRequest, request_id=request.pk)

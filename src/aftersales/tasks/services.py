"""Internal tasks: the only code that creates or changes a Task.

- task_open: a task for a team (an app opens it for its own reason: `source`, `source_id`)
- task_assign: give it to a member of the team (or take it: assign to yourself)
- task_start / task_finish / task_cancel: its progress; finishing or cancelling sends
  `signals.task_finished` so the app that opened it can move on

Each change writes an internal line on the request's history (when it has one) and is
refused, changing nothing, when the task moved on meanwhile (`expected_version`).
"""

import datetime
from typing import Any

from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.accounts.models import Team, User
from aftersales.core.errors import Conflict, DomainError, InvalidTransition, NotAllowed
from aftersales.notifications.services import notify
from aftersales.service_requests.models import ServiceRequest, ServiceRequestEvent
from aftersales.tasks import access, signals
from aftersales.tasks.models import ACTIVE, Status, Task

TITLE_MAX = 200
TEXT_MAX = 4000
REFERENCE_MAX = 100


def _text(data: dict[str, Any], field: str, limit: int, *, required: str = "") -> str:
    value = data.get(field)
    value = "" if value is None else str(value).strip()
    if required and not value:
        raise DomainError(required, fields={field: [required]})
    if len(value) > limit:
        message = _("At most %(limit)s characters.") % {"limit": limit}
        raise DomainError(message, fields={field: [message]})
    return value


def _event(task: Task, verb: str, note: str, *, by: User | None, **changes: Any) -> None:
    if task.service_request_id is None:
        return
    ServiceRequestEvent.objects.create(
        request_id=task.service_request_id,
        kind=ServiceRequestEvent.Kind.UPDATED,
        action=f"task.{verb}",
        actor=by,
        note=note,
        changes=changes,
        is_internal=True,
    )
    ServiceRequest.objects.filter(pk=task.service_request_id).update(updated_at=timezone.now())


def _tell(task: Task, person: User | None, key: str) -> None:
    if person is None or not person.is_active:
        return
    notify(
        recipient=person,
        key=f"task:{task.pk}:{key}",
        title=_("Task: %(title)s") % {"title": task.title},
        body=task.description[:500],
        url=reverse("tasks:detail", args=[task.pk]),
    )


def _locked(task: Task, expected_version: int | None) -> Task:
    locked = Task.objects.select_for_update().select_related("team").get(pk=task.pk)
    if expected_version is not None and locked.version != expected_version:
        raise Conflict(
            _("Someone else changed this task in the meantime; reload it and try again."),
            current_version=locked.version,
            current_status=locked.status,
        )
    return locked


def _save(task: Task, fields: set[str]) -> Task:
    task.version = F("version") + 1
    task.save(update_fields=sorted({*fields, "version", "updated_at"}))
    task.refresh_from_db()
    return task


def _refuse_unless_active(task: Task) -> None:
    if task.status not in ACTIVE:
        raise InvalidTransition(
            _("The task is “%(status)s” already.") % {"status": task.get_status_display()},
            status=task.status,
        )


@transaction.atomic
def task_open(
    *,
    title: str,
    team: Team,
    source: str,
    by: User | None,
    source_id: int | None = None,
    service_request: ServiceRequest | None = None,
    description: str = "",
    due_at: datetime.datetime | None = None,
    assignee: User | None = None,
) -> Task:
    """A new task for `team`. The system or the opening app decides who may open one; the
    assignee (if any) must be able to take it. Tells the assignee, or else the team's
    supervisor."""
    data = {"title": title, "description": description}
    title = _text(data, "title", TITLE_MAX, required=_("Give the task a title."))
    description = _text(data, "description", TEXT_MAX)
    task = Task(
        title=title,
        description=description,
        team=team,
        source=source,
        source_id=source_id,
        service_request=service_request,
        due_at=due_at,
        created_by=by,
    )
    if assignee is not None and not access.can_be_assigned(assignee, task):
        message = _("%(name)s is not in %(team)s.") % {
            "name": assignee.display_name,
            "team": team,
        }
        raise DomainError(message, fields={"assignee": [message]})
    task.assignee = assignee
    task.full_clean()
    task.save()
    _event(task, "opened", _("%(title)s — for %(team)s") % {"title": title, "team": team}, by=by)
    _tell(task, assignee or team.supervisor, "opened")
    return task


@transaction.atomic
def task_assign(
    task: Task, *, assignee: User | None, by: User, expected_version: int | None = None
) -> Task:
    """Give the task to `assignee` (None: back to the team). Members may take it themselves."""
    task = _locked(task, expected_version)
    taking = assignee is not None and assignee.pk == by.pk
    if not (access.can_manage(by, task) or (taking and access.can_work(by, task))):
        raise NotAllowed(_("You may not give this task to someone."))
    _refuse_unless_active(task)
    if assignee is not None and not access.can_be_assigned(assignee, task):
        message = _("%(name)s is not in %(team)s.") % {
            "name": assignee.display_name,
            "team": task.team,
        }
        raise DomainError(message, fields={"assignee": [message]})
    before = task.assignee.username if task.assignee else None
    task.assignee = assignee
    task = _save(task, {"assignee"})
    after = assignee.username if assignee else None
    _event(
        task,
        "assigned",
        task.title,
        by=by,
        task_assignee=[before, after],
    )
    if assignee is not None and assignee.pk != by.pk:
        _tell(task, assignee, f"assigned:{task.version}")
    return task


@transaction.atomic
def task_start(task: Task, *, by: User, expected_version: int | None = None) -> Task:
    task = _locked(task, expected_version)
    if not access.can_work(by, task):
        raise NotAllowed(_("You may not work on this task."))
    if task.status != Status.OPEN:
        _refuse_unless_active(task)
        raise InvalidTransition(_("The task is in progress already."), status=task.status)
    task.status = Status.IN_PROGRESS
    task.started_at = timezone.now()
    fields = {"status", "started_at"}
    if task.assignee_id is None:
        task.assignee = by
        fields.add("assignee")
    task = _save(task, fields)
    _event(task, "started", task.title, by=by)
    return task


@transaction.atomic
def task_finish(
    task: Task,
    *,
    by: User,
    data: dict[str, Any] | None = None,
    expected_version: int | None = None,
) -> Task:
    """Done, with what came of it (`outcome`) and a `reference` such as a tracking number."""
    data = data or {}
    task = _locked(task, expected_version)
    if not access.can_work(by, task):
        raise NotAllowed(_("You may not work on this task."))
    _refuse_unless_active(task)
    task.outcome = _text(data, "outcome", TEXT_MAX, required=_("Say what was done."))
    task.reference = _text(data, "reference", REFERENCE_MAX)
    task.status = Status.DONE
    task.finished_at = timezone.now()
    task.finished_by = by
    task.full_clean(exclude=["team", "assignee", "service_request", "created_by", "finished_by"])
    task = _save(task, {"outcome", "reference", "status", "finished_at", "finished_by"})
    note = task.title if not task.reference else f"{task.title} ({task.reference})"
    _event(task, "done", note, by=by)
    signals.task_finished.send(sender=Task, task=task)
    return task


@transaction.atomic
def task_cancel(
    task: Task, *, by: User | None, reason: str, expected_version: int | None = None
) -> Task:
    """No longer needed; `by=None` is the opening app deciding so (its own rules apply)."""
    task = _locked(task, expected_version)
    if by is not None and not access.can_manage(by, task):
        raise NotAllowed(_("You may not cancel this task."))
    _refuse_unless_active(task)
    task.outcome = _text({"reason": reason}, "reason", TEXT_MAX, required=_("Give a reason."))
    task.status = Status.CANCELLED
    task.finished_at = timezone.now()
    task.finished_by = by
    task = _save(task, {"outcome", "status", "finished_at", "finished_by"})
    _event(task, "cancelled", f"{task.title}: {task.outcome}", by=by)
    signals.task_finished.send(sender=Task, task=task)
    return task

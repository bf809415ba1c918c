"""Who may see and work problem records: the one place these rules live (SPEC §1, §2.9).

- supervisors and admins open records and manage them: edit every field, verify, close,
  cancel, reopen, remove actions and links;
- department staff see the records owned by their department (the record's team) and those
  in which they own an action; they work their department's records: record the root
  cause, start the investigation, add actions, move the record to its actions, link
  requests they can see; an action's owner records it done;
- the owner department's supervisor works and manages it like any supervisor;
- agents and technicians read every record (the front line recognises the same symptom on
  the phone) and link a request they can see to an active record, so that the problem is
  counted where it happens; they may unlink only what they linked themselves;
- analysts read everything and change nothing; customers see no problem record.

A linked request's details (title, customer) are shown only to those who may see the
request (`service_requests.access`); its number, model, batch and date are the evidence
every reader of the record gets.
"""

from django.db.models import Q, QuerySet

from aftersales.accounts.models import User
from aftersales.quality.models import ProblemAction, ProblemRecord

Role = User.Role

READ_ALL = {Role.AGENT, Role.TECHNICIAN, Role.SUPERVISOR, Role.ANALYST, Role.ADMIN}
MANAGERS = {Role.SUPERVISOR, Role.ADMIN}
LINKERS = {Role.AGENT, Role.TECHNICIAN}


def _active(user: User) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def _team_ids(user: User) -> list[int]:
    cached = getattr(user, "_quality_team_ids", None)
    if cached is None:
        cached = list(user.teams.values_list("id", flat=True))
        user._quality_team_ids = cached  # type: ignore[attr-defined]
    return cached


def is_reader(user: User) -> bool:
    """Anyone who may open the problem pages at all (every member of staff)."""
    return _active(user) and user.role != Role.CUSTOMER


def visibility_filter(user: User) -> Q | None:
    """A filter on ProblemRecord for what `user` may see; None means everything."""
    if not is_reader(user):
        return Q(pk__in=[])
    if user.role in READ_ALL or user.is_superuser:
        return None
    return Q(team_id__in=_team_ids(user)) | Q(
        pk__in=ProblemAction.objects.filter(owner_id=user.pk).values("problem_id")
    )


def visible_to(
    user: User, queryset: QuerySet[ProblemRecord] | None = None
) -> QuerySet[ProblemRecord]:
    qs = ProblemRecord.objects.all() if queryset is None else queryset
    condition = visibility_filter(user)
    return qs if condition is None else qs.filter(condition)


def can_create(user: User) -> bool:
    return _active(user) and (user.role in MANAGERS or user.is_superuser)


def can_manage(user: User, problem: ProblemRecord) -> bool:
    """Edit every field, verify, close, cancel, reopen, remove actions and links."""
    return can_create(user)


def can_work(user: User, problem: ProblemRecord) -> bool:
    """Root cause, investigation, actions: managers and the owner department."""
    if not _active(user) or user.role in {Role.CUSTOMER, Role.ANALYST}:
        return False
    if can_manage(user, problem) or problem.team.supervisor_id == user.pk:
        return True
    return user.role == Role.DEPARTMENT and problem.team_id in _team_ids(user)


def can_link(user: User, problem: ProblemRecord) -> bool:
    """Link a request (the request must also be visible to them; the services check it)."""
    if not problem.is_active:
        return False
    if can_work(user, problem):
        return True
    return _active(user) and user.role in LINKERS


def can_unlink(user: User, problem: ProblemRecord, linked_by_id: int | None) -> bool:
    if not problem.is_active:
        return False
    if can_work(user, problem):
        return True
    return can_link(user, problem) and linked_by_id == user.pk


def can_finish_action(user: User, action: ProblemAction) -> bool:
    if not _active(user) or user.role in {Role.CUSTOMER, Role.ANALYST}:
        return False
    return action.owner_id == user.pk or can_work(user, action.problem)


def can_own_action(user: User) -> bool:
    """Who an action may be given to: active staff who can work (not analysts, customers)."""
    return user.is_active and user.role not in {Role.CUSTOMER, Role.ANALYST}


def sees_reports(user: User) -> bool:
    """The spikes and the usage questions: those who act on them (supervisors, the
    departments, admins) and analysts."""
    return _active(user) and (
        user.role in {Role.SUPERVISOR, Role.DEPARTMENT, Role.ANALYST, Role.ADMIN}
        or user.is_superuser
    )

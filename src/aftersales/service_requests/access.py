"""Who may see and change which service request: the one place these rules live (SPEC §1).

Pages, API, search and exports all filter through `visible_to`; object actions ask the
`can_*` predicates. A request that a user may not see is answered as "not found".
"""

from django.db.models import Q, QuerySet

from aftersales.accounts.models import User
from aftersales.service_requests.models import Participant, ServiceRequest

Role = User.Role

SEE_ALL = {Role.AGENT, Role.ANALYST, Role.ADMIN}
WORKERS = {Role.AGENT, Role.TECHNICIAN, Role.SUPERVISOR, Role.ADMIN}
DISPATCHERS = {Role.AGENT, Role.SUPERVISOR, Role.ADMIN}
INTAKE = {Role.CUSTOMER, Role.AGENT, Role.TECHNICIAN, Role.SUPERVISOR, Role.ADMIN}


def _team_ids(user: User) -> list[int]:
    cached = getattr(user, "_team_ids_cache", None)
    if cached is None:
        cached = list(user.teams.values_list("id", flat=True))
        user._team_ids_cache = cached  # type: ignore[attr-defined]
    return cached


def _participating(user: User) -> set[int]:
    """The requests whose task force `user` is in (kept on the user object for the request)."""
    cached = getattr(user, "_participating_cache", None)
    if cached is None:
        cached = set(
            Participant.objects.filter(user_id=user.pk).values_list("request_id", flat=True)
        )
        user._participating_cache = cached  # type: ignore[attr-defined]
    return cached


def visibility_filter(user: User) -> Q | None:
    """A filter on ServiceRequest for what `user` may see; None means everything."""
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    role = user.role
    if role in SEE_ALL or user.is_superuser:
        return None
    if role == Role.CUSTOMER:
        if user.customer_id is None:
            return Q(pk__in=[])
        return Q(customer_id=user.customer_id)
    teams = _team_ids(user)
    # A subquery, not a join: a join would repeat a request once per task-force member.
    task_force = Q(pk__in=Participant.objects.filter(user_id=user.pk).values("request_id"))
    mine = Q(assignee_id=user.pk) | Q(team_id__in=teams) | task_force
    if role == Role.SUPERVISOR:
        # A supervisor also dispatches what has not been routed to any team yet.
        return mine | Q(team__isnull=True)
    return mine


def visible_to(
    user: User, queryset: QuerySet[ServiceRequest] | None = None
) -> QuerySet[ServiceRequest]:
    qs = ServiceRequest.objects.all() if queryset is None else queryset
    condition = visibility_filter(user)
    return qs if condition is None else qs.filter(condition)


def can_view(user: User, request: ServiceRequest) -> bool:
    return visible_to(user, ServiceRequest.objects.filter(pk=request.pk)).exists()


def is_staff(user: User) -> bool:
    return user.is_authenticated and user.is_active and user.role != Role.CUSTOMER


def works_on(user: User, request: ServiceRequest) -> bool:
    """Staff who may work this request: agents and admins always, others within their scope."""
    if not (user.is_authenticated and user.is_active) or user.role not in WORKERS:
        return False
    if user.role in {Role.AGENT, Role.ADMIN} or user.is_superuser:
        return True
    if request.assignee_id == user.pk or request.team_id in _team_ids(user):
        return True
    if request.pk in _participating(user):
        return True
    return user.role == Role.SUPERVISOR and request.team_id is None


def supervises(user: User, request: ServiceRequest) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    if user.role == Role.ADMIN or user.is_superuser:
        return True
    if user.role != Role.SUPERVISOR:
        return False
    return request.team_id is None or request.team_id in _team_ids(user)


def dispatches(user: User, request: ServiceRequest) -> bool:
    if user.role == Role.AGENT and user.is_active:
        return True
    return supervises(user, request)


def owns(user: User, request: ServiceRequest) -> bool:
    """The customer whose request it is."""
    return (
        user.is_authenticated
        and user.is_active
        and user.role == Role.CUSTOMER
        and user.customer_id is not None
        and user.customer_id == request.customer_id
    )


def can_edit(user: User, request: ServiceRequest) -> bool:
    return works_on(user, request)


def can_comment(user: User, request: ServiceRequest, *, internal: bool) -> bool:
    if owns(user, request):
        return not internal
    if works_on(user, request):
        return True
    # Department staff add internal notes to what is routed to their department.
    return internal and user.role == Role.DEPARTMENT and can_view(user, request)


def can_create(user: User) -> bool:
    return user.is_authenticated and user.is_active and user.role in INTAKE


def can_work_as_assignee(user: User) -> bool:
    return user.is_active and user.role in {
        Role.AGENT,
        Role.TECHNICIAN,
        Role.SUPERVISOR,
        Role.ADMIN,
    }


def customers_visible_to(user: User):  # type: ignore[no-untyped-def]
    """Customers a user may look up: all for front line and management, own for a customer,
    those of their requests for technicians and department staff."""
    from aftersales.customers.models import Customer

    if not (user.is_authenticated and user.is_active):
        return Customer.objects.none()
    if user.role == Role.CUSTOMER:
        return Customer.objects.filter(pk=user.customer_id)
    if user.role in SEE_ALL or user.role == Role.SUPERVISOR or user.is_superuser:
        return Customer.objects.all()
    return Customer.objects.filter(pk__in=visible_to(user).values("customer_id"))


def units_visible_to(user: User):  # type: ignore[no-untyped-def]
    from aftersales.catalog.models import Unit

    if not (user.is_authenticated and user.is_active):
        return Unit.objects.none()
    if user.role == Role.CUSTOMER:
        return Unit.objects.filter(customer_id=user.customer_id)
    if user.role in SEE_ALL or user.role == Role.SUPERVISOR or user.is_superuser:
        return Unit.objects.all()
    return Unit.objects.filter(pk__in=visible_to(user).exclude(unit__isnull=True).values("unit_id"))


def can_manage_directory(user: User) -> bool:
    """Create and change customers, products and units."""
    return (
        user.is_authenticated and user.is_active and (user.role in DISPATCHERS or user.is_superuser)
    )
